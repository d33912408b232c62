// @ts-check
import { fileURLToPath } from 'node:url';
import preact from '@astrojs/preact';
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import { CHAPTERS, publishedChapters } from './src/chapters/registry.ts';
import { hasChapterContent } from './src/lib/published.ts';

// The sidebar lists a chapter only once its file exists: no placeholder pages.
const chapterIds = CHAPTERS.map((c) => c.slug).filter(hasChapterContent);

// Canonical links, the sitemap (Starlight adds @astrojs/sitemap once `site` is set) and the share image's
// absolute URL all derive from this origin. The default is where `npm start` serves the site; a deployment
// sets SITE_URL to its public origin, or link cards and canonical URLs point at the wrong host.
const SITE = process.env.SITE_URL ?? 'http://127.0.0.1:4321';
const SHARE_IMAGE = new URL('/og.png', SITE).href;

/**
 * Starlight passes its own strings to Pagefind's search UI and falls back to English for the ones its
 * zh-CN locale lacks, which overrides Pagefind's Chinese; so the search results' wording is given here.
 */
const pagefindInChinese = {
  name: 'pagefind-zh-cn',
  hooks: {
    // Starlight requires every plugin to have this hook; this one changes no configuration.
    'config:setup'() {},
    /** @param {{ injectTranslations: (t: Record<string, Record<string, string>>) => void }} options */
    'i18n:setup'({ injectTranslations }) {
      injectTranslations({
        'zh-CN': {
          'pagefind.clear_search': '清除',
          'pagefind.load_more': '加载更多结果',
          'pagefind.search_label': '站内搜索',
          'pagefind.filters_label': '筛选',
          'pagefind.zero_results': '没有找到与 [SEARCH_TERM] 相关的内容',
          'pagefind.many_results': '找到 [COUNT] 个与 [SEARCH_TERM] 相关的结果',
          'pagefind.one_result': '找到 [COUNT] 个与 [SEARCH_TERM] 相关的结果',
          'pagefind.alt_search': '没有找到与 [SEARCH_TERM] 相关的内容，改为显示 [DIFFERENT_TERM] 的结果',
          'pagefind.search_suggestion': '没有找到与 [SEARCH_TERM] 相关的内容，试试下面这些搜索：',
          'pagefind.searching': '正在搜索 [SEARCH_TERM]……',
        },
      });
    },
  },
};

/**
 * Starlight's table-of-contents element (the desktop list and the mobile one, which extends it) comes from
 * src/starlight/table-of-contents.ts: the same behaviour, found without a `:has()` selector that took up to
 * 130 ms per list on a chapter page (see that file).
 */
const tableOfContents = fileURLToPath(new URL('./src/starlight/table-of-contents.ts', import.meta.url));
/** @type {import('vite').Plugin} */
const lighterTableOfContents = {
  name: 'lighter-table-of-contents',
  enforce: 'pre',
  resolveId(source, importer) {
    if (importer?.includes('@astrojs/starlight/components') && /(^|\/)TableOfContents\/starlight-toc(\.ts)?$/.test(source)) return tableOfContents;
    return null;
  },
};

export default defineConfig({
  site: SITE,
  // Readers look for either name; both lead to the one chapter that puts the two mechanisms side by side.
  redirects: {
    '/periodic-update': '/background-fetch/',
    '/prefetch': '/background-fetch/',
  },
  // Stylesheets stay files, never inlined: every chapter page uses the same ones, so a reader moving between
  // chapters downloads them once instead of carrying them again in each page's HTML (about 4 KB gz a page).
  build: { inlineStylesheets: 'never' },
  vite: {
    // ...and in one file for the whole site rather than a dozen small ones per page.
    build: { cssCodeSplit: false },
    plugins: [lighterTableOfContents],
    resolve: {
      // Search costs nothing until it is used: Starlight's search box gets a stand-in that loads Pagefind's UI
      // on the first open of the dialog instead of on every page's first idle moment.
      alias: [{ find: /^@pagefind\/default-ui$/, replacement: fileURLToPath(new URL('./src/search/deferred-pagefind-ui.ts', import.meta.url)) }],
    },
  },
  integrations: [
    starlight({
      title: '小程序能力实验室',
      description: '给前端开发者的微信小程序能力互动教程：每个流程都能一步步运行、弄坏、再修好。',
      // Drawn in src/assets/favicon.svg, rasterised at build time by src/pages/favicon.png.ts (why a PNG: see there).
      favicon: '/favicon.png',
      // One share card for every page (title and description still come from each page):
      // WeChat and most link previewers read og:image, and only PNG/JPEG are safe there.
      head: [
        { tag: 'meta', attrs: { property: 'og:image', content: SHARE_IMAGE } },
        { tag: 'meta', attrs: { property: 'og:image:type', content: 'image/png' } },
        { tag: 'meta', attrs: { property: 'og:image:width', content: '1200' } },
        { tag: 'meta', attrs: { property: 'og:image:height', content: '630' } },
        { tag: 'meta', attrs: { property: 'og:image:alt', content: '小程序能力实验室：小程序、微信客户端、开发者服务器、微信服务器四条泳道的时序图' } },
        { tag: 'meta', attrs: { name: 'twitter:image', content: SHARE_IMAGE } },
      ],
      defaultLocale: 'root',
      locales: { root: { label: '简体中文', lang: 'zh-CN' } },
      sidebar: [
        { label: '开始', items: [{ label: '首页', link: '/' }] },
        { label: '能力', items: publishedChapters(chapterIds).map((c) => ({ slug: c.slug })) },
      ],
      customCss: ['./src/styles/site.css'],
      plugins: [pagefindInChinese],
      lastUpdated: false,
      pagination: true,
      // src/pages/404.astro lists the chapters; Starlight's own says only that nothing is here.
      disable404Route: true,
    }),
    // The islands are written against React's API (`import … from 'react'`) and run on Preact through
    // preact/compat: React 19's client alone was 67 KB gz of the 121–128 KB a simulator page loaded, Preact
    // with compat is about 12. vitest.config.ts and tsconfig.json point `react` at the same runtime, so the
    // tests and the type check see what the browser runs.
    preact({ compat: true }),
  ],
});
