/**
 * The two requests WeChat makes to the developer server on its own, played
 * on demand so tests and readers can run them offline:
 *
 * - 周期性更新: the WeChat client's `GET` with only appid, token, timestamp;
 * - 数据预拉取: WeChat's server's `GET` at a cold start, with path, query,
 *   scene and the token, or a fresh login code when no token was set.
 *
 * Each user has the client's two cache slots (the world's
 * BackgroundFetchCache), so `/__dev/background-fetch/data` answers what
 * wx.getBackgroundFetchData would. The schedule itself (every 12 hours, only
 * within 7 days of the last use) is the chapter's simulator's; here one call
 * is one request. Each kind goes to its own address, as the admin console
 * has one switch and one download address for each; loopback URLs only.
 *
 * https://developers.weixin.qq.com/miniprogram/dev/framework/ability/background-fetch.html ,
 * https://developers.weixin.qq.com/miniprogram/dev/framework/ability/pre-fetch.html
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../../src/world/support/clock.ts';
import {
  BackgroundFetchCache,
  FETCH_DATA_FAIL,
  FETCH_TYPES,
  MAX_FETCH_TOKEN_LENGTH,
  periodicRequest,
  preFetchRequest,
  toQueryString,
  type FetchRequest,
} from '../../../src/world/wechat/background-fetch.ts';
import { loopbackUrl } from './loopback-url.ts';

/** The two switches: an address turns one on, leaving it out turns it off. */
const configBody = z
  .object({ periodicUrl: loopbackUrl('the periodic-update URL').optional(), preUrl: loopbackUrl('the pre-fetch URL').optional() })
  .strict();
const tokenBody = z.object({ userId: z.string().min(1), token: z.string().max(MAX_FETCH_TOKEN_LENGTH + 1) }).strict();
const periodicBody = z.object({ userId: z.string().min(1) }).strict();
const preBody = z
  .object({
    userId: z.string().min(1),
    path: z.string().min(1).max(1024),
    query: z.string().max(4096).default(''),
    scene: z.number().int().min(1000).max(9999).default(1001),
  })
  .strict();
const dataQuery = z.object({ userId: z.string().min(1), fetchType: z.enum(FETCH_TYPES) }).strict();

export interface BackgroundFetchDeps {
  appid: string;
  clock: Clock;
  requireUser(userId: string): void;
  /** A wx.login code for this user, as WeChat's server mints one for a pre-fetch without a token. */
  loginCode(userId: string): string;
}

export function backgroundFetchDevRoutes(app: FastifyInstance, deps: BackgroundFetchDeps): void {
  let urls: z.infer<typeof configBody> = {};
  const caches = new Map<string, BackgroundFetchCache>();
  const cacheOf = (userId: string) => {
    deps.requireUser(userId);
    let cache = caches.get(userId);
    if (!cache) {
      cache = new BackgroundFetchCache(deps.clock.now());
      caches.set(userId, cache);
    }
    return cache;
  };

  /** One GET to the configured URL; a 200 answer is offered to the cache, which keeps only a string ≤ 256 KB. */
  async function fetchFor(cache: BackgroundFetchCache, request: FetchRequest) {
    const key = `${request.fetchType}Url` as const;
    const url = urls[key];
    if (!url) {
      throw Object.assign(new Error(`this switch is off: POST /__dev/background-fetch/config { ${key} }`), { statusCode: 409, code: 'NO_FETCH_URL' });
    }
    const target = new URL(url);
    target.search = toQueryString(request);
    const response = await fetch(target, { redirect: 'error', signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    const entry = request.fetchType === 'pre' ? { path: request.path, query: request.query, scene: request.scene } : null;
    const stored = response.status === 200 ? cache.store(request.fetchType, text, entry, request.timestamp, deps.clock.now()) : 'notCacheable';
    const { fetchType: _kind, ...query } = request;
    return { query, status: response.status, bytes: Buffer.byteLength(text), stored };
  }

  app.post<{ Body: z.infer<typeof configBody> }>('/__dev/background-fetch/config', { schema: { body: configBody } }, async (request, reply) => {
    urls = request.body;
    return reply.code(204).send();
  });

  // wx.setBackgroundFetchToken: the client keeps it for the next request of either kind.
  app.post<{ Body: z.infer<typeof tokenBody> }>('/__dev/background-fetch/token', { schema: { body: tokenBody } }, async (request, reply) => {
    const set = cacheOf(request.body.userId).setToken(request.body.token);
    if (!set.ok) return reply.code(400).send({ errMsg: set.errMsg });
    return reply.code(204).send();
  });

  app.post<{ Body: z.infer<typeof periodicBody> }>('/__dev/background-fetch/periodic', { schema: { body: periodicBody } }, async (request) => {
    const cache = cacheOf(request.body.userId);
    return fetchFor(cache, periodicRequest(deps.appid, cache.token, deps.clock.now()));
  });

  // A cold start from an entry: one request from WeChat's server, with the token or else a login code.
  app.post<{ Body: z.infer<typeof preBody> }>('/__dev/background-fetch/pre', { schema: { body: preBody } }, async (request) => {
    const { userId, ...entry } = request.body;
    const cache = cacheOf(userId);
    const credential = cache.token !== null ? { token: cache.token } : { code: deps.loginCode(userId) };
    const now = deps.clock.now();
    cache.preSentAt = now;
    return fetchFor(cache, preFetchRequest(deps.appid, credential, entry, now));
  });

  // What wx.getBackgroundFetchData({ fetchType }) returns on Android once the request has finished.
  app.get<{ Querystring: z.infer<typeof dataQuery> }>('/__dev/background-fetch/data', { schema: { querystring: dataQuery } }, async (request, reply) => {
    const { userId, fetchType } = request.query;
    const read = cacheOf(userId).read(fetchType, 'android');
    if (!read.ok || !read.data) return reply.code(409).send({ errMsg: read.ok ? FETCH_DATA_FAIL : read.errMsg });
    const slot = read.data;
    return {
      fetchedData: slot.fetchedData,
      timeStamp: slot.receivedAt,
      ...(slot.entry ? { path: slot.entry.path, query: slot.entry.query, scene: slot.entry.scene } : {}),
    };
  });
}
