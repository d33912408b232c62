/**
 * The site's icon, rasterised at build time from its drawing
 * (src/assets/favicon.svg) into a 32×32 PNG: a tab shows it at 16 CSS
 * pixels, so 32 stays sharp on screens with two device pixels to one.
 *
 * Why not the SVG itself: every step of a simulator rewrites the page's link
 * with history.replaceState, and Chromium fetches and decodes the icon again
 * at each such same-document navigation, even when it is cached, and decoding
 * an SVG builds an SVG document each time. This PNG saved 1–6 ms of
 * main-thread time per step at full speed on the benchmark machine,
 * depending on the chapter.
 */
import type { APIRoute } from 'astro';
import sharp from 'sharp';
import drawing from '../assets/favicon.svg?raw';

const SIZE = 32;

export const GET: APIRoute = async () => {
  const png = await sharp(Buffer.from(drawing)).resize(SIZE, SIZE).png().toBuffer();
  return new Response(new Uint8Array(png), { headers: { 'content-type': 'image/png' } });
};
