/**
 * The only place the mini program learns where its developer server is.
 *
 * `serverUrl`: `npm run companion` listens on http://127.0.0.1:3000. DevTools
 * reaches loopback only with 详情 → 本地设置 → 不校验合法域名; a phone needs
 * the server on your LAN address (HOST=0.0.0.0) or, for release, an HTTPS
 * domain listed under request 合法域名.
 *
 * `emulator`: with the offline WeChat emulator, codes from the real wx.login
 * and the real phone button mean nothing to it (WeChat minted them for a
 * different world), so the mini program asks the emulator's /__dev/ endpoints
 * for codes for its test user instead. Set it to null when the server talks
 * to the real api.weixin.qq.com with your own AppID.
 */
export interface CompanionConfig {
  serverUrl: string;
  emulator: { baseUrl: string; userId: string } | null;
}

export const config: CompanionConfig = {
  serverUrl: 'http://127.0.0.1:3000',
  emulator: { baseUrl: 'http://127.0.0.1:4000', userId: 'demo' },
};
