const WECHAT_API_BASE = process.env.WECHAT_API_BASE ?? 'https://api.weixin.qq.com';

export interface Code2SessionResult {
  openid?: string;
  session_key?: string;
  unionid?: string;
  errcode?: number;
  errmsg?: string;
}

// #region code2session
/** auth.code2Session：只有服务器知道 AppSecret，所以只有服务器调用它。 */
export async function code2Session(jsCode: string): Promise<Code2SessionResult> {
  const query = new URLSearchParams({
    appid: process.env.WECHAT_APPID ?? '',
    secret: process.env.WECHAT_SECRET ?? '',
    js_code: jsCode,
    grant_type: 'authorization_code',
  });
  const response = await fetch(`${WECHAT_API_BASE}/sns/jscode2session?${query}`);
  // 成功时响应里可能根本没有 errcode：只有 errcode 存在且不为 0 才算失败。
  return (await response.json()) as Code2SessionResult;
}
// #endregion
