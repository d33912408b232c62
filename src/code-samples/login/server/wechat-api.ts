const WECHAT_API_BASE = process.env.WECHAT_API_BASE ?? 'https://api.weixin.qq.com';

export interface Code2SessionResult {
  openid?: string;
  session_key?: string;
  unionid?: string;
  errcode?: number;
  errmsg?: string;
}

// #region code2session
/** auth.code2Session: only the server knows the AppSecret, so only the server calls this. */
export async function code2Session(jsCode: string): Promise<Code2SessionResult> {
  const query = new URLSearchParams({
    appid: process.env.WECHAT_APPID ?? '',
    secret: process.env.WECHAT_SECRET ?? '',
    js_code: jsCode,
    grant_type: 'authorization_code',
  });
  const response = await fetch(`${WECHAT_API_BASE}/sns/jscode2session?${query}`);
  // A success may carry no errcode at all: treat only a present, non-zero errcode as an error.
  return (await response.json()) as Code2SessionResult;
}
// #endregion
