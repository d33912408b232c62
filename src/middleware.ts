import { defineMiddleware } from 'astro:middleware';
import { dropRepeatedAssets } from './lib/repeated-assets.ts';

/** Runs for every page, when it is built and in `astro dev` alike, so both serve the same HTML. */
export const onRequest = defineMiddleware(async (_context, next) => {
  const response = await next();
  if (!response.headers.get('content-type')?.startsWith('text/html')) return response;
  const html = dropRepeatedAssets(await response.text());
  return new Response(html, { status: response.status, statusText: response.statusText, headers: response.headers });
});
