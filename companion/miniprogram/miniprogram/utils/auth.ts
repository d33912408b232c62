import { errorCode, errorMessage, send } from './http';
import { launchedInSinglePage } from './single-page';

/**
 * 本地缓存里只有这一项：服务器签发的 token（字符串），session_key 永远不下发。
 * 格式变了就换一个键名，旧值自然被忽略，用户重新登录一次即可。
 */
const TOKEN_KEY = 'auth_token';

interface LoginOk {
  token: string;
  expiresIn: number;
}

export class LoginError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LoginError';
  }
}

export function getToken(): string | undefined {
  const token: unknown = wx.getStorageSync(TOKEN_KEY);
  return typeof token === 'string' && token !== '' ? token : undefined;
}

export function clearToken(): void {
  wx.removeStorageSync(TOKEN_KEY);
}

let inFlight: Promise<string> | null = null;

/** 完整走一遍 wx.login → /api/login。并发调用共用同一次登录，避免重复消耗 code。 */
export function login(): Promise<string> {
  // 朋友圈的单页模式没有登录态，wx.login 不可用：不去调它，直接告诉调用方
  if (launchedInSinglePage()) return Promise.reject(new LoginError(0, 'SINGLE_PAGE', '朋友圈里打开的页面不能登录，点「前往小程序」后再试'));
  inFlight ??= doLogin().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/** wx.login 不支持 Promise 风格调用（见 wx.login 文档），自己包一层 */
function wxLogin(): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      timeout: 10_000,
      success: ({ code }) => resolve(code),
      fail: ({ errMsg }) => reject(new LoginError(0, 'WX_LOGIN_FAILED', errMsg)),
    });
  });
}

// #region login
async function doLogin(): Promise<string> {
  const code = await wxLogin();
  if (!code) throw new LoginError(0, 'NO_CODE', 'wx.login 没有返回 code');

  // code 只交给自己的服务器，绝不在前端请求 api.weixin.qq.com
  const res = await send<Partial<LoginOk> | null>({ path: '/api/login', method: 'POST', data: { code } });
  const token = res.data?.token;
  if (res.statusCode !== 200 || typeof token !== 'string') {
    throw new LoginError(res.statusCode, errorCode(res.data) || 'UNKNOWN', errorMessage(res.data, '登录失败'));
  }
  // #endregion
  // #region store-token
  // 手机上只存自己签发的 token；session_key 永远不下发
  wx.setStorageSync(TOKEN_KEY, token);
  return token;
}
// #endregion

let boot: Promise<void> | null = null;

// #region check-session
/**
 * 微信那边的登录态（最后一次获取 code 的操作对应的 session_key，wx.login 和带 code 的数据预拉取都算）
 * 是否还有效。它不会刷新 session_key。
 */
export function isSessionAlive(): Promise<boolean> {
  return new Promise((resolve) => {
    wx.checkSession({ success: () => resolve(true), fail: () => resolve(false) });
  });
}

/**
 * 只在 App.onLaunch 里调用一次：
 * 已有 token 且 wx.checkSession 通过就直接复用，否则重新登录。
 */
export function bootstrapLogin(): Promise<void> {
  boot ??= (async () => {
    if (getToken()) {
      if (await isSessionAlive()) return;
      // session_key 已失效：服务器手里那把也不能用了，重新登录
      clearToken();
    }
    await login();
  })();
  return boot;
}
// #endregion

/** 业务请求获取 token 的唯一入口：等启动登录结束，没有 token 再登录一次。 */
export async function getValidToken(): Promise<string> {
  await boot?.catch(() => undefined);
  return getToken() ?? login();
}
