import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { code2Session } from '../wechat-api';
import { sessions } from '../sessions';

const tokenSecret = new TextEncoder().encode(process.env.TOKEN_SECRET);

// #region map-errors
const rejections: Record<number, { status: number; message: string }> = {
  40029: { status: 401, message: 'code 无效或已过期，请重新调用 wx.login' },
  40163: { status: 401, message: 'code 已被使用过，请重新调用 wx.login' },
  40226: { status: 403, message: '高风险用户，登录被拦截' },
  45011: { status: 429, message: '登录太频繁，请稍后再试' },
  [-1]: { status: 502, message: '微信服务器繁忙，请稍后重试' },
};
// #endregion

export default async function loginRoutes(app: FastifyInstance) {
  // #region route
  app.post<{ Body: { code: string } }>('/api/login', {
    schema: {
      body: {
        type: 'object',
        required: ['code'],
        additionalProperties: false,
        properties: { code: { type: 'string', minLength: 1, maxLength: 128 } },
      },
    },
    handler: async (request, reply) => {
      const result = await code2Session(request.body.code);
      // #endregion
      if (result.errcode) {
        const rejection = rejections[result.errcode] ?? { status: 502, message: '微信接口错误' };
        return reply.code(rejection.status).send({ error: { code: `WECHAT_${result.errcode}`, message: rejection.message } });
      }
      // #region issue-token
      const { openid, session_key: sessionKey, unionid } = result as Required<typeof result>;
      // session_key 留在服务器；小程序只拿到我们自己签发的 token。
      await sessions.save({ openid, sessionKey, unionid, updatedAt: Date.now() });
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(openid)
        .setIssuedAt()
        .setExpirationTime('2h')
        .sign(tokenSecret);
      return { token, expiresIn: 7200 };
      // #endregion
    },
  });
}
