/**
 * The nine chapters the site is planned to have, in reading order: the one
 * list the sidebar, the home page, the code-reference test and the shared
 * simulator tests iterate. A chapter is published when its MDX file exists;
 * until then it is neither in the sidebar nor linked, only named on the home
 * page as coming. A chapter with a simulator names its definition here, loaded
 * lazily so that the sidebar does not pull in the simulated world.
 */
import type { AnyStateMachine } from 'xstate';
import type { KitWorld, SimulationDefinition } from '../kit/engine/definition.ts';

export type AnySimulation = SimulationDefinition<AnyStateMachine, KitWorld>;

export interface Chapter {
  slug: string;
  title: string;
  summary: string;
  simulation?: () => Promise<AnySimulation>;
}

export const CHAPTERS: readonly Chapter[] = [
  {
    slug: 'login',
    title: '小程序登录',
    summary: 'wx.login、code2Session、session_key 与自定义登录态',
    simulation: async () => (await import('./login/simulation.ts')).loginSimulation as unknown as AnySimulation,
  },
  {
    slug: 'authorization',
    title: '授权',
    summary: 'scope、getSetting / authorize / openSetting 与隐私协议',
    simulation: async () => (await import('./authorization/simulation.ts')).authorizationSimulation as unknown as AnySimulation,
  },
  {
    slug: 'phone-number',
    title: '获取手机号',
    summary: '解密 encryptedData、session_key 轮换的坑与新版 code 方式',
    simulation: async () => (await import('./phone-number/simulation.ts')).phoneNumberSimulation as unknown as AnySimulation,
  },
  {
    slug: 'access-token',
    title: 'access_token',
    summary: '中控服务器、stable_token 与并发刷新',
    simulation: async () => (await import('./access-token/simulation.ts')).accessTokenSimulation as unknown as AnySimulation,
  },
  {
    slug: 'worker',
    title: '多线程 Worker',
    summary: '把耗时计算搬出主线程',
    simulation: async () => (await import('./worker/simulation.ts')).workerSimulation as unknown as AnySimulation,
  },
  {
    // One chapter answers both: the two mechanisms only make sense side by side on one clock.
    slug: 'background-fetch',
    title: '周期性更新 vs 数据预拉取',
    summary: '用户没打开时微信客户端每 12 小时拉一次；冷启动时微信服务器按页面拉一次',
    simulation: async () => (await import('./background-fetch/simulation.ts')).backgroundFetchSimulation as unknown as AnySimulation,
  },
  {
    slug: 'share',
    title: '转发',
    summary: 'onShareAppMessage、shareTicket 与分享到朋友圈',
    simulation: async () => (await import('./share/simulation.ts')).shareSimulation as unknown as AnySimulation,
  },
  {
    slug: 'launch-app',
    title: '打开 App',
    summary: '小程序只能“跳回”打开它的 App',
    simulation: async () => (await import('./launch-app/simulation.ts')).launchAppSimulation as unknown as AnySimulation,
  },
  {
    slug: 'subscribe-message',
    title: '订阅消息',
    summary: '一次性订阅、长期订阅与 subscribeMessage.send',
    simulation: async () => (await import('./subscribe-message/simulation.ts')).subscribeSimulation as unknown as AnySimulation,
  },
];

/** Chapters whose content exists, given the ids of the docs collection's entries. */
export function publishedChapters(entryIds: Iterable<string>): Chapter[] {
  const ids = new Set(entryIds);
  return CHAPTERS.filter((chapter) => ids.has(chapter.slug));
}

/** The chapters that have a simulator, with their definitions loaded. */
export async function simulations(): Promise<{ chapter: Chapter; definition: AnySimulation }[]> {
  const withSimulator = CHAPTERS.filter((chapter) => chapter.simulation);
  return Promise.all(withSimulator.map(async (chapter) => ({ chapter, definition: await chapter.simulation!() })));
}

export async function simulationOf(slug: string): Promise<AnySimulation> {
  const load = CHAPTERS.find((chapter) => chapter.slug === slug)?.simulation;
  if (!load) throw new Error(`chapter ${slug} has no simulator`);
  return load();
}
