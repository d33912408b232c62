/// <reference types="miniprogram-api-typings" />

/**
 * miniprogram-api-typings 5.x 落后于官方文档的地方，让代码可以照文档写并通过类型检查。
 */
declare namespace WechatMiniprogram {
  interface Wx {
    /**
     * typings 给监听函数的参数是一个 GeneralCallbackResult；《小程序隐私协议开发指南》
     * （user-privacy/PrivacyAuthorize.html）和 wx.onNeedPrivacyAuthorization 的文档传的是 resolve 和 eventInfo。
     */
    onNeedPrivacyAuthorization(
      listener: (
        resolve: (result: { buttonId?: string; event: 'agree' | 'disagree' }) => void,
        eventInfo: { referrer: string },
      ) => void,
    ): void;
  }
}
