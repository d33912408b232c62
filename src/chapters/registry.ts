/**
 * The ten chapters the site is planned to have, in reading order. A chapter
 * is published when its MDX file exists; until then it is neither in the
 * sidebar nor linked, only named on the home page as coming.
 */
export interface Chapter {
  slug: string;
  title: string;
  summary: string;
}

export const CHAPTERS: readonly Chapter[] = [
  { slug: 'login', title: '小程序登录', summary: 'wx.login、code2Session、session_key 与自定义登录态' },
  { slug: 'authorization', title: '授权', summary: 'scope、getSetting / authorize / openSetting 与隐私协议' },
  { slug: 'phone-number', title: '获取手机号', summary: '解密 encryptedData、session_key 轮换的坑与新版 code 方式' },
  { slug: 'access-token', title: 'access_token', summary: '中控服务器、stable_token 与并发刷新' },
  { slug: 'worker', title: '多线程 Worker', summary: '把耗时计算搬出主线程' },
  { slug: 'periodic-update', title: '周期性更新', summary: '用户没打开小程序时提前拉数据' },
  { slug: 'prefetch', title: '数据预拉取', summary: '冷启动时由微信后台先拉数据' },
  { slug: 'share', title: '转发', summary: 'onShareAppMessage、shareTicket 与分享到朋友圈' },
  { slug: 'launch-app', title: '打开 App', summary: '小程序只能“跳回”打开它的 App' },
  { slug: 'subscribe-message', title: '订阅消息', summary: '一次性订阅、长期订阅与 subscribeMessage.send' },
];

/** Chapters whose content exists, given the ids of the docs collection's entries. */
export function publishedChapters(entryIds: Iterable<string>): Chapter[] {
  const ids = new Set(entryIds);
  return CHAPTERS.filter((chapter) => ids.has(chapter.slug));
}
