// 排队取号：一次同意 = 一条消息。点「叫号时通知我」时第一件事就调用 wx.requestSubscribeMessage，
// 逐个模板看结果；「模拟叫号」让开发者服务器用 subscribeMessage.send 发一条（发给当前登录用户自己）。
import { ApiError, request } from '../../utils/request';
import { QUEUE_TEMPLATE_IDS, TABLE_READY } from './templates';

/** 算“同意”的状态：accept，以及带提醒方式的 acceptWith…（见订阅消息开发指南） */
const isAccepted = (status: string | undefined) => status === 'accept' || (status ?? '').startsWith('acceptWith');

const STATUS_WORDS: Record<string, string> = {
  accept: '允许',
  reject: '拒绝',
  ban: '已被后台封禁',
  filter: '标题同名，被过滤',
};

Page({
  data: {
    ticket: '',
    ahead: 0,
    statuses: [] as { id: string; status: string; words: string }[],
    subscribed: false,
    mainSwitch: true,
    kept: [] as { id: string; status: string }[],
    notice: '',
    sent: '',
  },

  // #region take-number
  onTakeNumber() {
    // 取号本身是店里的业务，这里只生成一个号码。正式的做法是在取号这一下点击里第一件事就请求订阅
    // （见站点「订阅消息」一章的“排队餐厅，从取号到叫号”）；本页把两步拆成两个按钮，便于分别观察。
    const ticket = `A${String(Math.floor(Math.random() * 900) + 100)}`;
    this.setData({ ticket, ahead: 12, notice: '' });
  },
  // #endregion

  // #region subscribe-tap
  onSubscribe() {
    // 第一件事就是调用。官方只写了“仅在点击行为时调用”；开发者反馈，前面有 await、setTimeout 或网络请求
    // 就会失败，报“can only be invoked by user TAP gesture”（非官方原文）。模板 id 写在代码里，不要点击时再去服务器取。
    wx.requestSubscribeMessage({
      tmplIds: QUEUE_TEMPLATE_IDS,
      success: (res) => this.onSubscribeResult(res as unknown as Record<string, string>),
      fail: (err) => this.setData({ notice: `订阅没有成功：${err.errMsg}（errCode ${(err as { errCode?: number }).errCode ?? '无'}）` }),
    });
  },
  // #endregion

  // #region check-each
  onSubscribeResult(res: Record<string, string>) {
    // errMsg 是 ok 只说明弹窗正常结束，不说明用户同意了：要逐个模板看 res[模板 id]
    const statuses = QUEUE_TEMPLATE_IDS.map((id) => ({ id, status: res[id] ?? '', words: STATUS_WORDS[res[id] ?? ''] ?? res[id] ?? '' }));
    const subscribed = isAccepted(res[TABLE_READY.id]);
    this.setData({
      statuses,
      subscribed,
      notice: subscribed ? '叫号时会通知你（一次允许 = 一条消息）' : '你没有允许叫号提醒，轮到你时我们无法通知你',
    });
    this.onShowSetting();
  },
  // #endregion

  // #region get-setting
  onShowSetting() {
    // 只有勾选了「总是保持以上选择」的模板才会出现在 itemSettings 里；主开关关了，requestSubscribeMessage 直接失败（20004）
    wx.getSetting({
      withSubscriptions: true,
      success: ({ subscriptionsSetting }) => {
        const items = (subscriptionsSetting?.itemSettings ?? {}) as Record<string, string>;
        this.setData({
          mainSwitch: subscriptionsSetting?.mainSwitch !== false,
          kept: Object.keys(items).map((id) => ({ id, status: items[id] ?? '' })),
        });
      },
    });
  },
  // #endregion

  // #region call-number
  async onCallNumber() {
    // 真实业务里是店员叫号、服务器自己发；这里让服务器给当前登录用户发一条，看它怎么用掉订阅次数
    try {
      const { msgid } = await request<{ msgid: number }>({
        path: '/api/subscribe/send',
        method: 'POST',
        data: {
          templateId: TABLE_READY.id,
          data: {
            thing1: { value: '小馆子（南山店）' },
            character_string2: { value: this.data.ticket || 'A042' },
            phrase3: { value: '请入座' },
            thing4: { value: '请在 10 分钟内到店，过号需重新取号' },
          },
          page: 'pages/subscribe-message/subscribe-message',
        },
      });
      this.setData({ sent: `已发送，msgid ${msgid}`, notice: '' });
    } catch (error) {
      // SUBSCRIBE_43101：次数用完了（一次允许只能发一条）或用户拒收了，下一次点击时再请求订阅
      const words = error instanceof ApiError ? `${error.code}：${error.message}` : '网络不太好，请稍后重试';
      this.setData({ sent: '', notice: words });
    }
  },
  // #endregion
});
