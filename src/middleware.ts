import { defineMiddleware } from 'astro:middleware';
import { dropRepeatedAssets } from './lib/repeated-assets.ts';

/** Runs for every page, when it is built and in `astro dev` alike, so both serve the same HTML. */
export const onRequest = defineMiddleware(async (_context, next) => {
  const response = await next();
  if (response.body === null || !response.headers.get('content-type')?.startsWith('text/html')) return response;
  const html = await response.text();
  const kept = dropRepeatedAssets(html);
  if (kept === html) return new Response(html, response);
  // The page is shorter now: a length Astro set for the original would cut it off or keep a client waiting.
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(kept, { status: response.status, statusText: response.statusText, headers });
});
