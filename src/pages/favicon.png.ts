/**
 * The site's icon, rasterised at build time from its drawing
 * (src/assets/favicon.svg) into a 32×32 PNG: a tab shows it at 16 CSS
 * pixels, so 32 stays sharp on screens with two device pixels to one.
 *
 * Why not the SVG itself: every step of a simulator rewrites the page's link
 * with history.replaceState, and Chromium fetches and decodes the icon again
 * at each such same-document navigation, even when it is cached, and decoding
 * an SVG builds an SVG document each time. In an interleaved A/B on the
 * benchmark machine at full speed, this PNG saved 1–6 ms of main-thread time
 * per click, depending on the chapter (/worker/, /login/, /access-token/).
 */
import type { APIRoute } from 'astro';
import sharp from 'sharp';
import drawing from '../assets/favicon.svg?raw';

const SIZE = 32;

export const GET: APIRoute = async () => {
  const png = await sharp(Buffer.from(drawing)).resize(SIZE, SIZE).png().toBuffer();
  // A Node Buffer is not among the body types Response is declared to take; a Uint8Array view is.
  return new Response(new Uint8Array(png), { headers: { 'content-type': 'image/png' } });
};
