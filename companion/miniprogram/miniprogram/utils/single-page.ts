/**
 * 朋友圈里打开的“单页模式”（场景值 1154）：页面没有登录态，wx.login 等登录接口不可用，
 * 本地存储和普通模式不共用，周期性更新在禁用能力列表里。
 * https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/share-timeline.html
 */
export const SINGLE_PAGE_SCENE = 1154;

/** 这次冷启动是不是单页模式 */
export function launchedInSinglePage(): boolean {
  return wx.getLaunchOptionsSync().scene === SINGLE_PAGE_SCENE;
}
