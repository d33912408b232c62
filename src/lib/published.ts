import { existsSync } from 'node:fs';

/** A chapter is published once its MDX exists: the sidebar (astro.config.mjs) lists it, the 404 page test expects its link. */
export const hasChapterContent = (slug: string) =>
  ['mdx', 'md'].some((ext) => existsSync(new URL(`../../content/docs/${slug}.${ext}`, import.meta.url)));
