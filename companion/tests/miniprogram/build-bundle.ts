/** Vitest global setup: the pages require lib/flows.js, a build output, so build it from src/flows first. */
import { bundleFlows } from '../../miniprogram-build.ts';

export default async function setup(): Promise<void> {
  await bundleFlows();
}
