/** 除了只在服务器上的 access_token 一章，每一章对应一个页面，顺序和站点的章节一致 */
const CHAPTERS = [
  { title: '登录', desc: 'wx.login → 开发者服务器 → token；启动时 checkSession，401 时重新登录再重试', url: '/pages/login/login' },
  { title: '授权', desc: '用到时才询问；先处理隐私弹窗；拒绝后说明原因，引导去设置页', url: '/pages/authorization/authorization' },
  { title: '手机号', desc: '新版 code 流程和旧版 encryptedData 流程（提前登录，回调里只用 checkSession）', url: '/pages/phone/phone' },
  { title: '多线程 Worker', desc: '同一个 fib(n) 在主线程和 Worker 里各算一次；副本、一次只能一个、被回收后重发', url: '/pages/worker/worker' },
  { title: '周期性更新 vs 数据预拉取', desc: '微信缓存的两份数据：谁拉的、带了什么、多久以前', url: '/pages/background-fetch/background-fetch' },
  { title: '转发', desc: '按钮带 data-id 分享、promise 3 秒兜底、从群卡片进入时解密 opengid', url: '/pages/share/share' },
  { title: '打开 App', desc: '场景值、按同一份规则预测能否跳回 App，以及 binderror 记录', url: '/pages/launch-app/launch-app' },
  { title: '订阅消息', desc: '排队取号：点击时先订阅、逐个模板看结果，叫号时服务器发一条', url: '/pages/subscribe-message/subscribe-message' },
];

Page({
  data: { chapters: CHAPTERS },
});
