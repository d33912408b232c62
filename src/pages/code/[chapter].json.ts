/**
 * Each simulator's code files, highlighted at build time into token data and
 * written as one static JSON file per chapter (/code/<slug>.json). The island
 * fetches it when it hydrates, so the chapter's HTML stays small and readers
 * who never reach the simulator never download it.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { CHAPTERS, simulationOf } from '../../chapters/registry.ts';
import { highlightSamples } from '../../lib/code-samples.ts';

export const getStaticPaths = (() =>
  CHAPTERS.filter((chapter) => chapter.simulation).map((chapter) => ({ params: { chapter: chapter.slug } }))) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ params }) => {
  const samples = await highlightSamples((await simulationOf(params.chapter!)).codeFiles);
  return new Response(JSON.stringify(samples), { headers: { 'content-type': 'application/json; charset=utf-8' } });
};
