// 基础库版本：读当前版本，判断“从 x.y.z 起”的规则。版本比较只有一份，在 launch-app-rule.ts 里，站点的模拟器也用它。
import { compareVersions } from './launch-app-rule';

/**
 * 当前基础库版本。wx.getAppBaseInfo 从 2.20.1 起才有，更老的基础库只能用 getSystemInfoSync。
 * https://developers.weixin.qq.com/miniprogram/dev/api/base/system/wx.getAppBaseInfo.html
 */
export function sdkVersion(): string {
  return wx.canIUse('getAppBaseInfo') ? wx.getAppBaseInfo().SDKVersion : wx.getSystemInfoSync().SDKVersion;
}

/**
 * 当前基础库是否不低于 since。接口“存在”和“在这个场景下能用”不是一回事：wx.canIUse 只回答前者，
 * 比如 getGroupEnterInfo 从 2.10.4 起就有，但到 2.17.3 才能读群聊里的消息卡片。
 */
export function atLeast(since: string): boolean {
  return compareVersions(sdkVersion(), since) >= 0;
}
