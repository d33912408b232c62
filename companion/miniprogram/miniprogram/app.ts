import { bootstrapLogin } from './utils/auth';
import { registerFetchToken, startBackgroundFetch } from './utils/background-fetch';
import { launchedInSinglePage } from './utils/single-page';

App({
  // #region on-launch
  onLaunch() {
    // 从朋友圈打开的单页模式没有登录态，wx.login 不可用：不登录，只展示公开内容
    // wx.checkSession 和 wx.login 都是限频接口：只在 onLaunch 调一次
    const login = launchedInSinglePage() ? null : bootstrapLogin();
    login?.catch((err: unknown) => {
      console.error('启动登录失败，之后的业务请求会再尝试一次', err);
    });
    // #region background-fetch
    // 冷启动时预拉取和代码包下载同时进行：越早读越好，读不到的由监听补上
    startBackgroundFetch();
    // 登录之后才有专用 token；它跟着下一次周期性更新或预拉取走。单页模式没有登录，也就没有 token
    login?.then(registerFetchToken).catch((err: unknown) => {
      console.warn('没能设置 BackgroundFetchToken，之后的预拉取会带 code', err);
    });
    // #endregion
  },
  // #endregion
});
