/**
 * The companion developer server as a fastify app: buildApp wires the
 * developer-server core to SQLite sessions, the WeChat HTTP client and the
 * access_token cache, and registers the routes as plugins. server.ts listens;
 * tests build the app with their own clock and log stream.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import * as v from 'valibot';
import { createAccessTokenProvider } from '../../../src/world/developer/access-token.ts';
import { createDeveloperServer } from '../../../src/world/developer/developer-server.ts';
import { createLoginTokenIssuer } from '../../../src/world/developer/login-token.ts';
import { systemClock, type Clock } from '../../../src/world/support/clock.ts';
import { apiError } from '../../../src/world/support/http.ts';
import type { Config } from './config.ts';
import { clientErrorHandler, sendError, sendFrameworkError } from './errors.ts';
import { RequestLog } from './request-log.ts';
import { openSessionStore } from './session-store.ts';
import { createSessionCipher, deriveDevKey } from './session-cipher.ts';
import { closeRedis, connectRedis } from './redis.ts';
import { redisRateLimitStore } from './rate-limits.ts';
import { createRedisTokenStore } from './redis-token-store.ts';
import { createWeChatApi } from './wechat-api.ts';
import { rememberVerifiedTokens } from './verified-tokens.ts';
import { authRoutes } from './routes/auth.ts';
import { phoneRoutes } from './routes/phone.ts';
import { shareRoutes } from './routes/share.ts';
import { createMemoryGroupStore, createShareGroupService } from '../../../src/world/developer/share-groups.ts';
import { adminRoutes, type UpstreamStats } from './routes/admin.ts';
import { createSubscribeSendApi, subscribeRoutes } from './routes/subscribe.ts';
import { createSubscribeEventReceiver, createSubscribeSender } from '../../../src/world/developer/subscribe-send.ts';
import { backgroundFetchRoutes } from './routes/background-fetch.ts';

/** A week: the periodic update's own window, after which WeChat stops fetching anyway. */
const FETCH_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

/** Login tokens remembered as verified, so the next request with one skips its signature check; about 3 MB when full (a 223-byte token and its claims each). */
const REMEMBERED_LOGIN_TOKENS = 10_000;

const BODY_LIMIT_BYTES = 1024 * 1024;
/** Probing unknown paths should cost a scanner more than it costs our logs. */
const NOT_FOUND_PER_MINUTE = 300;

export interface AppDeps {
  clock?: Clock;
  /** Where log lines go (stdout by default); tests capture them to prove what never appears. */
  logStream?: { write(line: string): void };
}

/** Secrets and credentials are censored wherever they sit in a log object, one or two levels deep. */
const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'session_key',
  'sessionKey',
  'secret',
  'token',
  'access_token',
  '*.session_key',
  '*.sessionKey',
  '*.secret',
  '*.token',
  '*.access_token',
  '*.*.session_key',
  '*.*.sessionKey',
  '*.*.secret',
  '*.headers.authorization',
];

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // A body still arriving after REQUEST_TIMEOUT_MS gets 408 and loses its socket; idle keep-alive ends too.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: Math.min(config.REQUEST_TIMEOUT_MS, 60_000),
      // Node checks those deadlines on this interval (30 s by default, which could double a 30 s timeout).
      connectionsCheckingInterval: Math.min(1000, config.REQUEST_TIMEOUT_MS / 2),
    },
    clientErrorHandler,
    frameworkErrors: sendFrameworkError,
    logController: new RequestLog(),
    logger: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      // Path only: a query string is client-controlled text and has no place in the log.
      serializers: { req: (request) => ({ method: request.method, url: request.url.split('?')[0], remoteAddress: request.ip }) },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
  });

  // The core's valibot schemas are the body contract; fastify runs them before the handler.
  app.setValidatorCompiler<v.GenericSchema>(({ schema }) => (data) => {
    const result = v.safeParse(schema, data);
    return result.success ? { value: result.output } : { error: new v.ValiError(result.issues) };
  });
  app.setErrorHandler(sendError);

  app.server.maxConnections = config.MAX_CONNECTIONS;

  let keys = config.SESSION_ENCRYPTION_KEYS;
  if (!keys) {
    // loadConfig allows this only against a loopback WECHAT_API_BASE, i.e. the emulator.
    keys = [deriveDevKey(config.TOKEN_SECRET)];
    app.log.warn(
      { keyId: keys[0]!.id },
      'SESSION_ENCRYPTION_KEYS is not set: WeChat session keys are encrypted at rest with a DEVELOPMENT-ONLY key derived from TOKEN_SECRET. Fine for the emulator; set SESSION_ENCRYPTION_KEYS for anything else',
    );
  }
  const { store: sessions, report } = openSessionStore(config.DATABASE, createSessionCipher(keys));
  if (report.migrated + report.resealed + report.discarded > 0) app.log.info(report, 'session database: stored WeChat session keys encrypted under the current key');
  const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL, app.log) : undefined;
  app.addHook('onClose', async () => {
    sessions.close();
    if (redis) await closeRedis(redis);
  });

  const wechat = createWeChatApi({
    baseUrl: config.WECHAT_API_BASE,
    appid: config.WECHAT_APPID,
    secret: config.WECHAT_SECRET,
    timeoutMs: config.WECHAT_TIMEOUT_MS,
    log: app.log,
  });
  // #region access-token-provider
  // Counted here, where the provider meets WeChat, for /__admin/upstream-stats.
  const upstream: UpstreamStats = { accessTokenFetches: 0, rejectedAccessTokens: 0 };
  const accessTokens = createAccessTokenProvider({
    fetchToken: () => {
      upstream.accessTokenFetches += 1;
      return wechat.stableToken();
    },
    now: () => clock.now(),
    ...(redis ? { shared: createRedisTokenStore(redis, { key: `companion:access_token:${config.WECHAT_APPID}` }) } : {}),
    onSharedStoreChange: (change) =>
      change.available
        ? app.log.info({ component: 'access_token' }, 'access_token cache shared through Redis again')
        : app.log.warn(
            { component: 'access_token', reason: change.error instanceof Error ? change.error.message : String(change.error) },
            'access_token cache unavailable in Redis: this process fetches its own stable_token until it returns',
          ),
  });
  // #endregion
  // Login tokens and background-fetch tokens share the secret; their issuers differ, so neither passes for the other.
  const tokenSecret = new TextEncoder().encode(config.TOKEN_SECRET);
  const developer = createDeveloperServer({
    wechat,
    sessions,
    tokens: rememberVerifiedTokens(
      createLoginTokenIssuer({
        secret: tokenSecret,
        clock,
        lifetimeSeconds: config.TOKEN_TTL_SECONDS,
        issuer: 'miniprogram-lab-companion',
      }),
      { clock, max: REMEMBERED_LOGIN_TOKENS },
    ),
    now: () => clock.now(),
    appid: config.WECHAT_APPID,
    accessTokens: {
      get: () => accessTokens.get(),
      invalidate: (token) => {
        upstream.rejectedAccessTokens += 1;
        accessTokens.invalidate(token);
      },
    },
  });

  await app.register(rateLimit, {
    global: false,
    ...(redis ? { store: redisRateLimitStore(redis, `companion:rate:${config.WECHAT_APPID}:`) } : {}),
  });
  app.setNotFoundHandler(
    { preHandler: app.rateLimit({ max: NOT_FOUND_PER_MINUTE, timeWindow: 60_000 }) },
    (request, reply) => {
      const path = request.url.split('?')[0]!;
      const allowed = (['GET', 'POST'] as const).filter((method) => app.hasRoute({ method, url: path }));
      if (allowed.length > 0) {
        reply.code(405).header('allow', allowed.join(', '));
        return reply.send(apiError(405, 'METHOD_NOT_ALLOWED', `${path} 只接受 ${allowed.join('、')}`).body);
      }
      return reply.code(404).send(apiError(404, 'NOT_FOUND', `没有这个接口：${request.method} ${path}`).body);
    },
  );
  await app.register(authRoutes, { developer, loginPerMinute: config.LOGIN_RATE_LIMIT_PER_MINUTE });
  if (config.ADMIN_DIAGNOSTICS) await app.register(adminRoutes, { stats: () => ({ ...upstream }), startedAt: clock.now() });
  await app.register(backgroundFetchRoutes, {
    appid: config.WECHAT_APPID,
    developer,
    sessions,
    fetchTokens: createLoginTokenIssuer({
      secret: tokenSecret,
      clock,
      lifetimeSeconds: FETCH_TOKEN_TTL_SECONDS,
      issuer: 'miniprogram-lab-companion/background-fetch',
    }),
    now: () => clock.now(),
  });
  await app.register(phoneRoutes, {
    developer,
    perUserPerMinute: config.PHONE_RATE_LIMIT_PER_USER_PER_MINUTE,
    perClientPerMinute: config.PHONE_RATE_LIMIT_PER_CLIENT_PER_MINUTE,
  });
  // Group membership is kept in memory: enough for the companion; a real leaderboard keeps it in its database.
  await app.register(shareRoutes, {
    share: createShareGroupService({ developer, sessions, groups: createMemoryGroupStore(), appid: config.WECHAT_APPID }),
  });
  await app.register(subscribeRoutes, {
    developer,
    sender: createSubscribeSender({
      api: createSubscribeSendApi({ baseUrl: config.WECHAT_API_BASE, timeoutMs: config.WECHAT_TIMEOUT_MS }),
      accessTokens: {
        get: () => accessTokens.get(),
        invalidate: (token) => {
          upstream.rejectedAccessTokens += 1;
          accessTokens.invalidate(token);
        },
      },
      miniprogramState: config.SUBSCRIBE_MINIPROGRAM_STATE,
      ...(config.SUBSCRIBE_TEMPLATES ? { templates: config.SUBSCRIBE_TEMPLATES } : {}),
    }),
    ...(config.WECHAT_PUSH_TOKEN ? { events: createSubscribeEventReceiver({ token: config.WECHAT_PUSH_TOKEN }) } : {}),
  });
  return app;
}
