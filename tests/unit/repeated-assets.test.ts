import { describe, expect, it } from 'vitest';
import { dropRepeatedAssets } from '../../src/lib/repeated-assets.ts';

const css = '<link rel="stylesheet" href="/_astro/ec.194rg.css">';
const js = '<script type="module" src="/_astro/ec.aori9.js"></script>';

describe('dropRepeatedAssets', () => {
  it("keeps the first of Expressive Code's stylesheet link and script, and removes their repeats further down", () => {
    const page = `<body><div>${css}${js}<pre>a</pre></div><div>${css}${js}<pre>b</pre></div></body>`;
    expect(dropRepeatedAssets(page)).toBe(`<body><div>${css}${js}<pre>a</pre></div><div><pre>b</pre></div></body>`);
  });

  it('leaves other repeated tags alone, and a page without repeats as it is', () => {
    const other = '<link rel="stylesheet" href="/_astro/style.css">';
    const island = '<script type="module" src="/_astro/page.js"></script>';
    const page = `${other}${css}${island}<p>x</p>${other}${island}${js}`;
    expect(dropRepeatedAssets(page)).toBe(page);
  });
});
