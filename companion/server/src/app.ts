/**
 * The companion developer server as a fastify app: buildApp wires the
 * developer-server core to SQLite sessions, the WeChat HTTP client and the
 * access_token cache, and registers the routes as plugins. server.ts listens;
 * tests build the app with their own clock and log stream.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { ZodTypeAny } from 'zod';
import { createAccessTokenProvider } from '../../../src/world/developer/access-token.ts';
import { createDeveloperServer } from '../../../src/world/developer/developer-server.ts';
import { createLoginTokenIssuer } from '../../../src/world/developer/login-token.ts';
import { systemClock, type Clock } from '../../../src/world/support/clock.ts';
import { apiError } from '../../../src/world/support/http.ts';
import type { Config } from './config.ts';
import { sendError } from './errors.ts';
import { openSessionStore } from './session-store.ts';
import { createRedisTokenStore } from './redis-token-store.ts';
import { createWeChatApi } from './wechat-api.ts';
import { authRoutes } from './routes/auth.ts';
import { phoneRoutes } from './routes/phone.ts';

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
    logger: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      // Path only: a query string is client-controlled text and has no place in the log.
      serializers: { req: (request) => ({ method: request.method, url: request.url.split('?')[0], remoteAddress: request.ip }) },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
  });

  // The core's zod schemas are the body contract; fastify runs them before the handler.
  app.setValidatorCompiler<ZodTypeAny>(({ schema }) => (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: result.error };
  });
  app.setErrorHandler(sendError);

  const sessions = openSessionStore(config.DATABASE);
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 }) : undefined;
  app.addHook('onClose', async () => {
    sessions.close();
    await redis?.quit();
  });

  const wechat = createWeChatApi({
    baseUrl: config.WECHAT_API_BASE,
    appid: config.WECHAT_APPID,
    secret: config.WECHAT_SECRET,
    timeoutMs: config.WECHAT_TIMEOUT_MS,
  });
  const developer = createDeveloperServer({
    wechat,
    sessions,
    tokens: createLoginTokenIssuer({
      secret: new TextEncoder().encode(config.TOKEN_SECRET),
      clock,
      lifetimeSeconds: config.TOKEN_TTL_SECONDS,
      issuer: 'miniprogram-lab-companion',
    }),
    now: () => clock.now(),
    appid: config.WECHAT_APPID,
    accessTokens: createAccessTokenProvider({
      fetchToken: () => wechat.stableToken(),
      now: () => clock.now(),
      ...(redis ? { shared: createRedisTokenStore(redis, { key: `companion:access_token:${config.WECHAT_APPID}` }) } : {}),
    }),
  });

  await app.register(rateLimit, { global: false });
  app.setNotFoundHandler(
    { preHandler: app.rateLimit({ max: NOT_FOUND_PER_MINUTE, timeWindow: 60_000 }) },
    (request, reply) => {
      reply.code(404).send(apiError(404, 'NOT_FOUND', `没有这个接口：${request.method} ${request.url.split('?')[0]}`).body);
    },
  );
  await app.register(authRoutes, { developer, loginPerMinute: config.LOGIN_RATE_LIMIT_PER_MINUTE });
  await app.register(phoneRoutes, { developer });
  return app;
}
