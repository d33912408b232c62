/**
 * Site search: Pagefind's UI is not downloaded until the reader opens the
 * search box (src/search/deferred-pagefind-ui.ts), and then it finds the
 * chapters in Chinese.
 */
import { expect, test } from '@playwright/test';

test('search loads on first use and finds a chapter', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  });
  await page.goto('/login/');
  await page.waitForLoadState('networkidle');
  // Pagefind's UI and its own files (/pagefind/…); the small stand-in that waits for the dialog may load.
  expect(scripts.filter((path) => /ui-core|^\/pagefind\//.test(path))).toEqual([]);

  await page.getByRole('button', { name: '搜索' }).click();
  const input = page.getByRole('dialog').getByRole('textbox', { name: '搜索' });
  await expect(input).toBeFocused();
  await input.fill('session_key');
  await expect(page.getByRole('dialog').getByRole('link', { name: /小程序登录/ }).first()).toBeVisible();
  expect(scripts.some((path) => /ui-core/.test(path))).toBe(true);
});

test('code blocks weigh less than prose in the index, so excerpts come from the explanation first', async ({ page }) => {
  const html = await (await page.request.get('/background-fetch/')).text();
  const blocks = [...html.matchAll(/<pre\b[^>]*>/g)].map(([tag]) => tag).filter((tag) => /data-language=/.test(tag));
  expect(blocks.length).toBeGreaterThan(0);
  for (const tag of blocks) expect(tag).toContain('data-pagefind-weight="0.2"');
  // A name that appears in the chapter's code before its prose: the excerpt is the prose.
  await page.goto('/background-fetch/');
  const excerpt = await page.evaluate(async (url) => {
    // Pagefind's own search API, the one its UI calls; a URL held in a variable, so nothing tries to resolve it here.
    const pagefind = await import(/* @vite-ignore */ url);
    const search = await pagefind.search('getBackgroundFetchData');
    const results = await Promise.all(search.results.map((result: { data(): Promise<{ url: string; excerpt: string }> }) => result.data()));
    return results.find((result) => result.url === '/background-fetch/')?.excerpt ?? '';
  }, '/pagefind/pagefind.js');
  expect(excerpt).toContain('getBackgroundFetchData');
  expect(excerpt).not.toMatch(/=&gt;|\{ fetchType,/);
});
