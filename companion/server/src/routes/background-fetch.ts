/**
 * The addresses the admin console's two switches point at, one each:
 * 数据周期性更新 at `GET /api/background-fetch/periodic`, called by the WeChat
 * client every 12 hours (appid, token, timestamp), and 数据预加载 at
 * `GET /api/background-fetch/pre`, called by WeChat's server at a cold start
 * (path, query, scene, customMiniprogramVersion, and a code when no token was
 * set). The address says which of the two is asking: the pre-fetch page marks
 * path, query and scene 必填「否」, so their presence cannot. Whatever string
 * it returns, WeChat caches on the phone, so it never returns one user's data
 * to a caller it cannot identify. `POST /api/background-fetch/token` gives a
 * logged-in mini program the token it hands to wx.setBackgroundFetchToken.
 *
 * Rules: https://developers.weixin.qq.com/miniprogram/dev/framework/ability/background-fetch.html ,
 * https://developers.weixin.qq.com/miniprogram/dev/framework/ability/pre-fetch.html
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DeveloperServer, SessionStore } from '../../../../src/world/developer/developer-server.ts';
import type { LoginTokenIssuer } from '../../../../src/world/developer/login-token.ts';
import { apiError } from '../../../../src/world/support/http.ts';
import { FETCH_TYPES, isCacheable, MAX_FETCH_TOKEN_LENGTH, type FetchType } from '../../../../src/world/wechat/background-fetch.ts';
import { replies } from '../errors.ts';

export interface BackgroundFetchRoutesOptions {
  appid: string;
  developer: DeveloperServer;
  sessions: SessionStore;
  /** Its own issuer and secret use: a fetch token is not a login token, and the reverse. */
  fetchTokens: LoginTokenIssuer;
  now: () => number;
  /** What the server has for this caller and page; the default is the companion's demo content. */
  content?: (fetchType: FetchType, fetch: FetchQuery, openid: string | null) => unknown;
}

/** The query WeChat sends; every value arrives as a string. Unknown keys are ignored: WeChat may add some. */
const fetchQuerySchema = z.object({
  appid: z.string().min(1).max(64),
  token: z.string().min(1).max(MAX_FETCH_TOKEN_LENGTH).optional(),
  code: z.string().min(1).max(128).optional(),
  timestamp: z.string().regex(/^\d{1,16}$/),
  path: z.string().max(1024).optional(),
  query: z.string().max(4096).optional(),
  scene: z.string().regex(/^\d{1,6}$/).optional(),
  customMiniprogramVersion: z.string().max(64).optional(),
});

export type FetchQuery = z.infer<typeof fetchQuerySchema>;

function demoContent(fetchType: FetchType, fetch: FetchQuery, openid: string | null): unknown {
  const personal = openid !== null;
  if (fetchType === 'periodic') {
    return { kind: 'periodic', personal, digest: personal ? '你关注的课程有更新' : '今日热门课程' };
  }
  const item = new URLSearchParams(fetch.query ?? '').get('item');
  return { kind: 'pre', personal, path: fetch.path ?? '', query: fetch.query ?? '', item, scene: Number(fetch.scene ?? 0) };
}

export const backgroundFetchRoutes: FastifyPluginAsync<BackgroundFetchRoutesOptions> = async (app, options) => {
  const { appid, developer, sessions, fetchTokens, now } = options;
  const content = options.content ?? demoContent;

  // #region identify
  /** Who asks: the fetch token's openid, or a pre-fetch's code exchanged like a login; anything else is nobody. */
  async function identify(fetchType: FetchType, fetch: FetchQuery): Promise<{ openid: string | null; via: 'token' | 'code' | 'none' }> {
    if (fetch.token !== undefined) {
      const verified = await fetchTokens.verify(fetch.token);
      // Forged or expired: answer public data rather than an error. The docs do not say whether WeChat
      // caches an error answer; either it sits on the phone or the cache stays empty, and public data is useful either way.
      return { openid: verified.ok ? verified.claims.openid : null, via: 'token' };
    }
    // Only WeChat's server mints a code, for a pre-fetch; the client's periodic request never carries one.
    if (fetch.code !== undefined && fetchType === 'pre') {
      const exchange = await developer.exchangeCode(fetch.code);
      if (!exchange.ok) return { openid: null, via: 'code' };
      // "触发数据预拉取时可能会刷新用户登录态": keep the new session_key, as a login would.
      await sessions.save({ ...exchange.session, updatedAt: now() });
      return { openid: exchange.session.openid, via: 'code' };
    }
    return { openid: null, via: 'none' };
  }
  // #endregion

  // #region answer
  const answer = (fetchType: FetchType) => async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = fetchQuerySchema.safeParse(request.query);
    if (!parsed.success) {
      const { status, body } = apiError(400, 'BAD_FETCH_QUERY', `不是微信发来的${fetchType === 'pre' ? '预拉取' : '周期性更新'}请求`);
      return reply.code(status).send(body);
    }
    const fetch = parsed.data;
    if (fetch.appid !== appid) {
      const { status, body } = apiError(403, 'WRONG_APPID', 'appid 不是本小程序');
      return reply.code(status).send(body);
    }
    const caller = await identify(fetchType, fetch);
    let text = JSON.stringify({ ...(content(fetchType, fetch, caller.openid) as object), generatedAt: now() });
    if (!isCacheable(text)) {
      // Over 256 KB WeChat caches nothing at all; a small answer that tells the page to load the rest is better.
      request.log.warn({ fetchType, bytes: Buffer.byteLength(text) }, 'background fetch answer over 256 KB: sending a stub instead');
      text = JSON.stringify({ kind: fetchType, truncated: true, generatedAt: now() });
    }
    // Who asked, for the reader's request log: the caller is recorded as known or not, never by its credential.
    request.log.info(
      { fetchType, credential: caller.via, known: caller.openid !== null, path: fetch.path, scene: fetch.scene, userAgent: request.headers['user-agent'] },
      'background fetch',
    );
    return reply.code(200).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(text);
  };
  // One address per switch in the admin console.
  for (const fetchType of FETCH_TYPES) app.get(`/api/background-fetch/${fetchType}`, answer(fetchType));
  // #endregion

  // #region fetch-token
  app.post(
    '/api/background-fetch/token',
    {
      schema: {
        response: replies({ token: { type: 'string' }, expiresIn: { type: 'integer' } }),
      },
    },
    async (request, reply) => {
      const auth = await developer.authenticate(request.headers.authorization);
      if (!auth.ok) return reply.code(auth.response.status).send(auth.response.body);
      const token = await fetchTokens.issue({ openid: auth.openid });
      return reply.code(200).header('cache-control', 'no-store').send({ token, expiresIn: fetchTokens.lifetimeSeconds });
    },
  );
  // #endregion
};
