/**
 * The page icon: the home page, a chapter and the 404 page (Starlight gives
 * every page the same head) link the PNG drawn at build time from
 * src/assets/favicon.svg (src/pages/favicon.png.ts says why not the SVG), and
 * it decodes at 32×32.
 */
import { expect, test } from '@playwright/test';

test('the home page, a chapter and the 404 page link the PNG icon, which decodes at 32×32', async ({ page }) => {
  for (const path of ['/', '/login/', '/no-such-chapter/']) {
    await page.goto(path);
    const icon = page.locator('head link[rel~="icon"]');
    await expect(icon).toHaveCount(1);
    await expect(icon).toHaveAttribute('href', '/favicon.png');
    await expect(icon).toHaveAttribute('type', 'image/png');
  }
  const response = await page.request.get('/favicon.png');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('image/png');
  const size = await page.evaluate(async () => {
    const image = new Image();
    image.src = '/favicon.png';
    await image.decode();
    return [image.naturalWidth, image.naturalHeight];
  });
  expect(size).toEqual([32, 32]);
});
