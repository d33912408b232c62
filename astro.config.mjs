// @ts-check
import { existsSync } from 'node:fs';
import react from '@astrojs/react';
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import { CHAPTERS, publishedChapters } from './src/chapters/registry.ts';

// The sidebar lists a chapter only once its file exists: no placeholder pages.
const chapterIds = CHAPTERS.map((c) => c.slug).filter(
  (slug) => existsSync(`./content/docs/${slug}.mdx`) || existsSync(`./content/docs/${slug}.md`),
);

export default defineConfig({
  integrations: [
    starlight({
      title: '小程序能力实验室',
      description: '给前端开发者的微信小程序能力互动教程：每个流程都能一步步运行、弄坏、再修好。',
      defaultLocale: 'root',
      locales: { root: { label: '简体中文', lang: 'zh-CN' } },
      sidebar: [
        { label: '开始', items: [{ label: '首页', link: '/' }] },
        { label: '能力', items: publishedChapters(chapterIds).map((c) => ({ slug: c.slug })) },
      ],
      customCss: ['./src/styles/site.css'],
      lastUpdated: false,
      pagination: true,
    }),
    react(),
  ],
});
