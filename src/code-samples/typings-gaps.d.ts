/**
 * Where miniprogram-api-typings 5.x lags the official docs, so the samples can
 * be written as the docs describe and still type-check.
 */
declare namespace WechatMiniprogram {
  interface Wx {
    /**
     * The typings give the listener one GeneralCallbackResult; the privacy guide
     * (user-privacy/PrivacyAuthorize.html) passes `resolve` and `eventInfo`.
     */
    onNeedPrivacyAuthorization(
      listener: (
        resolve: (result: { buttonId?: string; event: 'agree' | 'disagree' }) => void,
        eventInfo: { referrer: string },
      ) => void,
    ): void;
  }
}
