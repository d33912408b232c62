/**
 * A mistyped or outdated address: the server answers 404 with the site's own
 * page (src/pages/404.astro), which links every published chapter, is left
 * out of search, and passes axe.
 */
import { expect, test } from '@playwright/test';
import { axeViolations } from './axe.ts';
import { CHAPTERS } from '../../src/chapters/registry.ts';
import { hasChapterContent } from '../../src/lib/published.ts';

const published = CHAPTERS.filter((chapter) => hasChapterContent(chapter.slug));

test('an unknown address gets a 404 page that leads to every chapter', async ({ page }) => {
  const response = await page.goto('/no-such-chapter/?login=1.next');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: '找不到这个页面' })).toBeVisible();
  const map = page.locator('main');
  expect(published.length).toBeGreaterThan(0);
  for (const chapter of published) {
    await expect(map.getByRole('link', { name: chapter.title, exact: true })).toHaveAttribute('href', `/${chapter.slug}/`);
  }
  await expect(map.getByRole('link', { name: '回到首页' })).toHaveAttribute('href', '/');
  // Pagefind indexes only what carries data-pagefind-body; a search must never offer the 404 page.
  await expect(page.locator('[data-pagefind-body]')).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);
});
