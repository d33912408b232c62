import { createHmac } from 'node:crypto';

/** 校验服务器保存的 session_key 是否仍是当前有效的那一把 */
export async function isSessionKeyValid(
  accessToken: string,
  openid: string,
  sessionKey: string,
): Promise<boolean> {
  // HMAC 密钥直接用 session_key 这个 Base64 字符串本身，不要先解码：
  // 只有这样才能复现官方“用户登录态签名”文档里的示例值
  const signature = createHmac('sha256', sessionKey).update('').digest('hex');

  const url = new URL('https://api.weixin.qq.com/wxa/checksession');
  url.search = new URLSearchParams({
    access_token: accessToken,
    openid,
    signature,
    sig_method: 'hmac_sha256',
  }).toString();

  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`checksession HTTP ${res.status}`);
  const body = (await res.json()) as { errcode?: number; errmsg?: string };

  if ((body.errcode ?? 0) === 0) return true;
  if (body.errcode === 87009) return false; // invalid signature：这把 session_key 已失效
  // 其他错误（例如 access_token 过期）与 session_key 无关，不能当成“失效”
  throw new Error(`checksession 失败：${body.errcode} ${body.errmsg ?? ''}`);
}
