/**
 * 转发：书单页。每一项有自己的分享按钮（data-id 决定分享路径），右上角菜单也能转发；
 * 可以设置 promise 多久之后 resolve，看微信在 3 秒时改用默认内容。
 * https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/share.html
 */
import { describeEntry, type EntryView } from './entry';

const BOOKS = [
  { id: 'b-101', title: '《小王子》读书笔记' },
  { id: 'b-102', title: '《三体》人物关系图' },
];

/** 同步返回的默认内容：promise 3 秒内没有 resolve 时，微信用的就是它 */
const DEFAULT_SHARE = { title: '一起来读书', path: '/pages/share/share' };

/** promise 的延迟（毫秒）；-1 表示不用 promise，直接返回对象 */
const DELAYS = [-1, 1000, 5000];

type ShareTarget = { dataset?: { id?: string } };

Page({
  data: {
    books: BOOKS,
    delays: DELAYS,
    promiseDelayMs: 1000,
    highlight: '',
    entry: null as EntryView | null,
    launch: null as EntryView | null,
  },

  // #region show-menu
  onLoad(query: Record<string, string | undefined>) {
    this.setData({ highlight: query.id ?? '' });
    // withShareTicket：转发到群里的卡片被打开时带上 shareTicket（非私密消息在单聊里没有）
    // menus 从基础库 2.11.3 起可用；显示「分享到朋友圈」必须同时显示「发送给朋友」
    wx.showShareMenu({ withShareTicket: true, menus: ['shareAppMessage', 'shareTimeline'] });
  },
  // #endregion

  // #region entry-log
  onShow() {
    // 和 App.onLaunch / App.onShow 收到的是同一份参数
    const launch = describeEntry(wx.getLaunchOptionsSync());
    const entry = describeEntry(wx.getEnterOptionsSync());
    console.info('转发 · 进入参数', entry);
    this.setData({ launch, entry });
  },
  // #endregion

  onChooseDelay(e: WechatMiniprogram.BaseEvent<{}, { delay: number }>) {
    this.setData({ promiseDelayMs: Number(e.currentTarget.dataset.delay) });
  },

  onOpenGroupPage() {
    wx.navigateTo({ url: '/pages/share/group/group' });
  },

  // #region on-share
  // 定义了 onShareAppMessage，右上角菜单里的「发送给朋友」（文档里叫“转发”）才可点；按钮 open-type="share" 也走这里
  onShareAppMessage(options: WechatMiniprogram.Page.IShareAppMessageOption) {
    const id = options.from === 'button' ? (options.target as ShareTarget | undefined)?.dataset?.id : undefined;
    const book = BOOKS.find((item) => item.id === id);
    // path 必须以 / 开头；带上 id，打开卡片的人直接看到这一项
    const path = book ? `${DEFAULT_SHARE.path}?id=${book.id}` : DEFAULT_SHARE.path;
    const title = book ? book.title : DEFAULT_SHARE.title;
    // #region promise
    if (this.data.promiseDelayMs < 0) return { title, path };
    // 基础库 2.12.0 起：先同步给出默认内容，再给一个 promise。
    // 3 秒内 resolve 就用它的结果，否则微信用上面的默认内容。
    // 不要写成 async onShareAppMessage：返回的是 Promise 而不是对象
    const delay = this.data.promiseDelayMs;
    return {
      ...DEFAULT_SHARE,
      promise: new Promise<WechatMiniprogram.Page.ICustomShareContent>((resolve) => {
        setTimeout(() => resolve({ title: `${title}（已有 12 人在读）`, path }), delay);
      }),
    };
    // #endregion
  },
  // #endregion

  // #region on-timeline
  // 分享到朋友圈：必须同时有 onShareAppMessage；没有自定义 path，只能带 query
  onShareTimeline() {
    return { title: DEFAULT_SHARE.title, query: 'from=timeline' };
  },
  // #endregion
});
