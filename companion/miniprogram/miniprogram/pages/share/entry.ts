/**
 * 卡片把什么带进了小程序：场景值、shareTicket、chatType。
 * App.onLaunch / App.onShow 收到的就是这个对象；页面里用 wx.getLaunchOptionsSync()（冷启动那次）
 * 和 wx.getEnterOptionsSync()（最近一次进入）读到同样的内容。
 * 场景值：https://developers.weixin.qq.com/miniprogram/dev/reference/scene-list.html
 */
import { SINGLE_PAGE_SCENE } from '../../utils/single-page';

export const SCENE_NAMES: Record<number, string> = {
  1007: '单聊里的卡片',
  1008: '群聊里的卡片',
  1044: '带 shareTicket 的卡片',
  [SINGLE_PAGE_SCENE]: '朋友圈内打开“单页模式”',
  1155: '“单页模式”打开小程序',
};

export const CHAT_TYPES: Record<number, string> = { 1: '微信联系人单聊', 2: '企业微信联系人单聊', 3: '普通微信群聊', 4: '企业微信互通群聊' };

export interface EntryView {
  scene: string;
  shareTicket: string;
  chatType: string;
  singlePage: boolean;
  /** 只有从群里带 shareTicket 的卡片进来，才值得去问群信息 */
  fromGroupCard: boolean;
}

// #region read-entry
export function describeEntry(options: Pick<WechatMiniprogram.LaunchOptionsApp, 'scene' | 'shareTicket' | 'chatType'>): EntryView {
  const scene = options.scene;
  // 单聊卡片（非私密消息）和不带 withShareTicket 的群卡片都没有 shareTicket：不是 bug，是规则
  const shareTicket = options.shareTicket || '';
  return {
    scene: `${scene} ${SCENE_NAMES[scene] ?? ''}`.trim(),
    shareTicket: shareTicket || '（没有）',
    chatType: options.chatType ? `${options.chatType} ${CHAT_TYPES[options.chatType] ?? ''}`.trim() : '（没有）',
    singlePage: scene === SINGLE_PAGE_SCENE,
    fromGroupCard: shareTicket !== '',
  };
}
// #endregion
