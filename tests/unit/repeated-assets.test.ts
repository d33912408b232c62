import { describe, expect, it } from 'vitest';
import { dropRepeatedAssets } from '../../src/lib/repeated-assets.ts';

const css = '<link rel="stylesheet" href="/_astro/ec.1.css">';
const js = '<script type="module" src="/_astro/ec.2.js"></script>';

describe('dropRepeatedAssets', () => {
  it('keeps the first stylesheet link and module script, and removes their repeats further down', () => {
    const page = `<head>${css}</head><body><div>${css}${js}<pre>a</pre></div><div>${css}${js}<pre>b</pre></div></body>`;
    expect(dropRepeatedAssets(page)).toBe(`<head>${css}</head><body><div>${js}<pre>a</pre></div><div><pre>b</pre></div></body>`);
  });

  it('keeps links to different files, and leaves a page without repeats as it is', () => {
    const page = `${css}<link rel="stylesheet" href="/_astro/style.css">${js}<script type="module" src="/_astro/page.js"></script>`;
    expect(dropRepeatedAssets(page)).toBe(page);
  });

  it('leaves code that only shows such a tag alone', () => {
    const shown = '<code>&lt;link rel="stylesheet" href="/a.css"&gt;</code>';
    expect(dropRepeatedAssets(`${shown}${shown}`)).toBe(`${shown}${shown}`);
  });
});
