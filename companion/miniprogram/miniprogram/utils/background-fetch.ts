// 周期性更新和数据预拉取的缓存，读一次、听一次，交给页面。
// 两种数据都是微信替我们提前拉好的缓存，只能让页面先有东西可看；真正的数据以服务器为准。
// https://developers.weixin.qq.com/miniprogram/dev/api/storage/background-fetch/wx.getBackgroundFetchData.html
import { request } from './request';
import { launchedInSinglePage } from './single-page';

export type FetchType = 'periodic' | 'pre';

export interface FetchedSlot {
  fetchType: FetchType;
  fetchedData: string;
  /** 换算成毫秒之后的时间 */
  timeStamp: number;
  /** 微信原样给的 timeStamp（iOS 微信 8.0.27 以前有异常，官方示例按秒处理） */
  rawTimeStamp: number;
  path: string;
  query: string;
  scene: number;
  via: 'getBackgroundFetchData' | 'onBackgroundFetchData';
}

export type Slots = Record<FetchType, FetchedSlot | null>;

const slots: Slots = { periodic: null, pre: null };

/** 这组接口要基础库 2.8.0；更老的基础库上它们不存在，周期性更新和预拉取也就无从谈起 */
const supported = () => typeof wx.getBackgroundFetchData === 'function' && typeof wx.onBackgroundFetchData === 'function';
const subscribers: ((slots: Slots) => void)[] = [];

// #region timestamp
/**
 * timeStamp 文档写的是毫秒，并注明 iOS 有异常、8.0.27 修复；没说异常是什么，官方示例在 iPhone 上
 * 乘以 1000，看来当时给的是秒。
 * 按数值判断而不是按机型：毫秒时间戳在 2001 年之后都大于 1e12，秒永远到不了。
 */
export function toMilliseconds(timeStamp: number): number {
  return timeStamp > 0 && timeStamp < 1e12 ? timeStamp * 1000 : timeStamp;
}
// #endregion

type Received = Pick<WechatMiniprogram.GetBackgroundFetchDataSuccessCallbackResult, 'fetchedData' | 'timeStamp' | 'path' | 'query' | 'scene'>;

function accept(fetchType: FetchType, res: Received, via: FetchedSlot['via']): void {
  // iOS 在请求没结束、本地又没有旧数据时返回 success，但 fetchedData 是空的
  if (!res.fetchedData) return;
  const timeStamp = toMilliseconds(res.timeStamp);
  const current = slots[fetchType];
  // 监听可能先到、getBackgroundFetchData 的旧数据后到：旧的不能盖掉新的
  if (current && current.timeStamp >= timeStamp) return;
  slots[fetchType] = {
    fetchType,
    fetchedData: res.fetchedData,
    timeStamp,
    rawTimeStamp: res.timeStamp,
    path: res.path ?? '',
    query: res.query ?? '',
    scene: res.scene ?? 0,
    via,
  };
  for (const notify of subscribers) notify({ ...slots });
}

function read(fetchType: FetchType): void {
  wx.getBackgroundFetchData({
    fetchType,
    success: (res) => accept(fetchType, res, 'getBackgroundFetchData'),
    // Android 上请求没结束、本地也没有旧数据时走这里；数据到了由监听补上
    fail: (err) => console.warn(`getBackgroundFetchData(${fetchType}) 失败：`, err.errMsg),
  });
}

// #region read-both
/** 只在 App.onLaunch 里调用一次。 */
export function startBackgroundFetch(): void {
  if (!supported()) return;
  // 先注册监听：请求还没结束时，新数据到了从这里来。
  // 注册时请求已经结束的话，它永远不会触发，所以下面还要再读一次。
  wx.onBackgroundFetchData((res) => {
    // 数据预拉取文档页的示例在这里用了未定义的 res；回调的参数才是数据
    if (res.fetchType === 'pre' || res.fetchType === 'periodic') accept(res.fetchType, res, 'onBackgroundFetchData');
  });
  // 请求没结束时，这里先拿到上一次的旧数据（或 Android 的 fail、iOS 的空数据），不会等
  read('pre');
  // 朋友圈的单页模式禁用周期性更新
  if (!launchedInSinglePage()) read('periodic');
}
// #endregion

/** 页面订阅缓存的变化；返回取消订阅的函数，在 onUnload 里调用。 */
export function watchSlots(notify: (slots: Slots) => void): () => void {
  subscribers.push(notify);
  notify({ ...slots });
  return () => {
    const index = subscribers.indexOf(notify);
    if (index >= 0) subscribers.splice(index, 1);
  };
}

// #region fetch-token
/**
 * 登录之后调用：向服务器换一个专用的 token 交给微信，之后的周期性更新和预拉取都带上它。
 * 它不是登录态本身，也不是 session_key：微信会把它明文放进 GET 的 query 里。
 * 这一次冷启动的预拉取已经发出去了，token 跟着下一次请求走。
 */
export async function registerFetchToken(): Promise<void> {
  if (!supported()) return;
  const { token } = await request<{ token: string }>({ path: '/api/background-fetch/token', method: 'POST' });
  await new Promise<void>((resolve, reject) => {
    wx.setBackgroundFetchToken({ token, success: () => resolve(), fail: (err) => reject(new Error(err.errMsg)) });
  });
}
// #endregion

/** 给页面看的“多久以前” */
export function ageText(now: number, timeStamp: number): string {
  const minutes = Math.max(0, Math.floor((now - timeStamp) / 60_000));
  if (minutes < 1) return '刚刚';
  if (minutes < 60) return `${minutes} 分钟前`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours} 小时前` : `${Math.floor(hours / 24)} 天前`;
}
