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
