// access_token 的来源：服务器用 AppSecret 换取，缓存起来给所有请求共用。
// 多台服务器时，这份缓存要放在共享存储（如 Redis）或单独的中控服务里。

const APPID = process.env.WX_APPID!;
const APP_SECRET = process.env.WX_APP_SECRET!; // 只存在服务器的环境变量里

let cached: { token: string; expiresAt: number } | null = null;

// #region stable-token
export async function getAccessToken(): Promise<string> {
  // 离过期还有 5 分钟以上就继续用
  if (cached && cached.expiresAt - Date.now() > 5 * 60 * 1000) return cached.token;

  // getStableAccessToken 的普通模式：有效期内重复调用拿到的是同一个 token，
  // 不会把别的实例手里的 token 顶掉（/cgi-bin/token 每调一次都会让上一个失效）
  const res = await fetch('https://api.weixin.qq.com/cgi-bin/stable_token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credential', appid: APPID, secret: APP_SECRET, force_refresh: false }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
  if (!body.access_token || !body.expires_in) throw new Error(`获取 access_token 失败：${body.errcode} ${body.errmsg}`);
  cached = { token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
  return cached.token;
}

/** 微信说这个 token 不能用了（40001 / 42001）：丢掉缓存，下次重新获取 */
export function dropAccessToken(token: string): void {
  if (cached?.token === token) cached = null;
}
// #endregion
