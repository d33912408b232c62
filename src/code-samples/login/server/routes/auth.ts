import type { FastifyPluginAsync } from 'fastify';
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import type { SessionStore, UserRepository } from '../store';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`缺少环境变量 ${name}`);
  return value;
}

const APPID = requiredEnv('WX_APPID');
const APP_SECRET = requiredEnv('WX_APP_SECRET'); // 只存在服务器的环境变量里
const TOKEN_SECRET = new TextEncoder().encode(requiredEnv('TOKEN_SECRET')); // 至少 32 字节的随机串
const TOKEN_ISSUER = 'my-miniprogram';
const TOKEN_TTL_SECONDS = 2 * 60 * 60;

const LoginBody = z.object({ code: z.string().min(1).max(128) }).strict();

/** jscode2session 的原始响应：成功时可能根本没有 errcode 字段 */
interface Code2SessionResponse {
  openid?: string;
  session_key?: string;
  unionid?: string;
  errcode?: number;
  errmsg?: string;
}

type Code2SessionResult =
  | { ok: true; openid: string; sessionKey: string; unionid?: string }
  | { ok: false; errcode: number; errmsg: string };

// #region code2session
async function code2Session(code: string): Promise<Code2SessionResult> {
  const url = new URL('https://api.weixin.qq.com/sns/jscode2session');
  url.search = new URLSearchParams({
    appid: APPID,
    secret: APP_SECRET,
    js_code: code,
    grant_type: 'authorization_code',
  }).toString();

  // 这个 URL 里带着 AppSecret，不要把它写进日志
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) return { ok: false, errcode: -1, errmsg: `HTTP ${res.status}` };
  const body = (await res.json()) as Code2SessionResponse;

  // 失败的判断：errcode 存在且不为 0。不要写成 errcode === 0 才算成功
  if (typeof body.errcode === 'number' && body.errcode !== 0) {
    return { ok: false, errcode: body.errcode, errmsg: body.errmsg ?? '' };
  }
  if (!body.openid || !body.session_key) {
    return { ok: false, errcode: -1, errmsg: 'unexpected response' };
  }
  return { ok: true, openid: body.openid, sessionKey: body.session_key, unionid: body.unionid };
}
// #endregion

// #region map-errors
interface ClientError {
  status: number;
  body: { error: { code: string; message: string } };
}

const clientError = (status: number, code: string, message: string): ClientError => ({
  status,
  body: { error: { code, message } },
});

/** 把微信的 errcode 翻译成给小程序看的 HTTP 状态；errcode 留在错误码里，方便排查 */
function toClientError(errcode: number): ClientError {
  switch (errcode) {
    case 40029: // code 无效：过期、已用过，或不是这个 AppID 签发的
      return clientError(401, 'WECHAT_40029', 'code 无效或已过期，请重新调用 wx.login 获取新的 code');
    case 40163: // code been used：官方错误码表未列出，但实际会返回
      return clientError(401, 'WECHAT_40163', 'code 已被使用过，请重新调用 wx.login 获取新的 code');
    case 40226:
      return clientError(403, 'WECHAT_40226', '微信判定该用户为高风险用户，登录被拦截');
    case 45011:
      return clientError(429, 'WECHAT_45011', '登录太频繁，请稍后再试');
    case -1:
      return clientError(502, 'WECHAT_-1', '微信服务器繁忙，请稍后重试');
    case 40013: // appid、secret、grant_type 配错了：用户无能为力，细节只进日志
    case 40125:
    case 40002:
      return clientError(500, 'SERVER_MISCONFIGURED', '服务器的小程序配置有误，请联系开发者');
    default:
      return clientError(502, `WECHAT_${errcode}`, '微信接口返回错误，请稍后重试');
  }
}
// #endregion

async function authenticate(
  authorization: string | undefined,
  sessions: SessionStore,
): Promise<string | null> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, TOKEN_SECRET, {
      issuer: TOKEN_ISSUER,
      algorithms: ['HS256'],
    });
    if (!payload.sub) return null;
    // 服务器端会话还在才算数：强制下线时删掉会话，旧 token 立即作废
    return (await sessions.get(payload.sub)) ? payload.sub : null;
  } catch {
    return null; // 过期、签名不对、格式错误，一律按 401 处理
  }
}

interface AuthRoutesOptions {
  users: UserRepository;
  sessions: SessionStore;
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, { users, sessions }) => {
  // #region route
  app.post('/api/login', async (request, reply) => {
    const parsed = LoginBody.safeParse(request.body);
    if (!parsed.success) {
      const { status, body } = clientError(400, 'BAD_REQUEST', '请求体必须是 { "code": string }，且不能有其他字段');
      return reply.code(status).send(body);
    }

    let result: Code2SessionResult;
    try {
      result = await code2Session(parsed.data.code);
    } catch (err) {
      request.log.warn({ err }, 'jscode2session 请求失败');
      const { status, body } = clientError(502, 'WECHAT_UNREACHABLE', '暂时无法连接微信服务器，请稍后重试');
      return reply.code(status).send(body);
    }
    // #endregion
    if (!result.ok) {
      request.log.warn({ errcode: result.errcode, errmsg: result.errmsg }, 'code2Session 返回错误');
      const { status, body } = toClientError(result.errcode);
      return reply.code(status).send(body);
    }

    // #region issue-token
    const user = await users.upsertByOpenid({ openid: result.openid, unionid: result.unionid });
    // 每次登录都用最新的 session_key 覆盖旧的
    await sessions.save({
      userId: user.id,
      openid: result.openid,
      sessionKey: result.sessionKey,
      updatedAt: Date.now(),
    });

    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id) // 载荷里只有用户 ID，没有 session_key
      .setIssuer(TOKEN_ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
      .sign(TOKEN_SECRET);

    return { token, expiresIn: TOKEN_TTL_SECONDS };
    // #endregion
  });

  // #region me
  app.get('/api/me', async (request, reply) => {
    const userId = await authenticate(request.headers.authorization, sessions);
    const user = userId ? await users.findById(userId) : undefined;
    if (!user) {
      const { status, body } = clientError(401, 'UNAUTHORIZED', '登录态无效或已过期，请重新登录');
      return reply.code(status).send(body);
    }
    return { userId: user.id, nickname: user.nickname };
  });
  // #endregion
};
