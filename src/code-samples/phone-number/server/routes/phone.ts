import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { dropAccessToken, getAccessToken } from '../access-token';
import { DecryptError, decryptPhoneData } from '../decrypt';
import type { SessionStore } from '../store'; // 登录一章里按用户保存 session_key 的会话存储

declare module 'fastify' {
  interface FastifyRequest {
    /** 登录态中间件（登录一章的 authenticate）验证 token 后填入 */
    user: { userId: string };
  }
}

const APPID = process.env.WX_APPID!;

const DecryptBody = z.object({ encryptedData: z.string().min(1).max(8192), iv: z.string().min(1).max(64) }).strict();
const CodeBody = z.object({ code: z.string().min(1).max(128) }).strict();

const fail = (code: string, message: string) => ({ error: { code, message } });

interface PhoneInfoResponse {
  errcode?: number;
  errmsg?: string;
  phone_info?: { phoneNumber: string; purePhoneNumber: string; countryCode: number | string; watermark: { appid: string } };
}

export const phoneRoutes = (sessions: SessionStore): FastifyPluginAsync => async (app) => {
  // #region decrypt-route
  // 旧版：用登录时保存的 session_key 解密。session_key 从不出现在响应和日志里。
  app.post('/api/phone/decrypt', async (req, reply) => {
    const { userId } = req.user;
    const body = DecryptBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send(fail('BAD_REQUEST', '请求体必须是 { encryptedData, iv }'));

    const session = await sessions.get(userId);
    if (!session) return reply.code(401).send(fail('SESSION_UNKNOWN', '请重新登录'));
    try {
      const data = decryptPhoneData(APPID, session.sessionKey, body.data.encryptedData, body.data.iv);
      return { phoneNumber: data.phoneNumber, purePhoneNumber: data.purePhoneNumber, countryCode: String(data.countryCode) };
    } catch (err) {
      if (!(err instanceof DecryptError)) throw err;
      req.log.warn({ userId, code: err.code, reason: err.message }, '手机号解密失败'); // 只记原因，不记密钥
      // #endregion
      // #region map-errors
      if (err.reason === 'key') {
        return reply.code(409).send(fail('SESSION_KEY_MISMATCH', '登录态已刷新，请重新登录后再点一次按钮'));
      }
      if (err.reason === 'watermark') return reply.code(400).send(fail('WATERMARK_MISMATCH', '数据不是发给本小程序的'));
      return reply.code(400).send(fail('BAD_ENCRYPTED_DATA', 'encryptedData 或 iv 在传输中被改动，请放在 JSON 请求体里原样发送'));
      // #endregion
    }
  });

  // #region code-route
  // 新版：不需要 session_key，用按钮给的 code 加上 access_token 调 getuserphonenumber。
  app.post('/api/phone/code', async (req, reply) => {
    const body = CodeBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send(fail('BAD_REQUEST', '请求体必须是 { code }'));

    let result: PhoneInfoResponse = {};
    // access_token 可能被别处刷新掉（40001）或刚好过期（42001）：换一个新的，只重试一次
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await getAccessToken();
      const res = await fetch(`https://api.weixin.qq.com/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: body.data.code }),
        signal: AbortSignal.timeout(5_000),
      });
      result = (await res.json()) as PhoneInfoResponse;
      if (result.errcode !== 40001 && result.errcode !== 42001) break;
      dropAccessToken(token);
    }

    if (typeof result.errcode === 'number' && result.errcode !== 0) {
      if (result.errcode === 40029) {
        // code 过期（5 分钟）、已用过、或不属于本小程序：让用户再点一次按钮
        return reply.code(400).send(fail('PHONE_CODE_INVALID', '请再点一次按钮获取手机号'));
      }
      return reply.code(502).send(fail(`WECHAT_${result.errcode}`, '微信接口暂时不可用，请稍后再试'));
    }
    const info = result.phone_info!;
    if (info.watermark.appid !== APPID) return reply.code(502).send(fail('WATERMARK_MISMATCH', '数据不是发给本小程序的'));
    // 新版示例里 countryCode 是数字，旧版解密结果里是字符串，统一成字符串
    return { phoneNumber: info.phoneNumber, purePhoneNumber: info.purePhoneNumber, countryCode: String(info.countryCode) };
  });
  // #endregion
};
