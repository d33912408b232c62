/**
 * A loopback emulator of the WeChat server endpoints the companion calls.
 * All WeChat behaviour (codes, session_key, errcodes, access_token rules)
 * comes from WeChatServer (and ShareGroups, BackgroundFetchCache) in src/world/wechat, the model the site's simulator runs:
 * this file only translates HTTP to its methods, with the official paths,
 * parameter names and JSON fields.
 *
 * Everything under /__dev/ is not WeChat: it stands in for the WeChat client
 * (minting a wx.login code for a test user) and for the world controls.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { z, type ZodTypeAny } from 'zod';
import { WeChatServer } from '../../../src/world/wechat/wechat-server.ts';
import { ShareGroups } from '../../../src/world/wechat/share.ts';
import { cryptoRandom } from '../../../src/world/support/random.ts';
import { DAY, systemClock, type Clock } from '../../../src/world/support/clock.ts';
import { apiError } from '../../../src/world/support/http.ts';
import { backgroundFetchDevRoutes } from './background-fetch.ts';
import { loopbackUrl } from './loopback-url.ts';
import { messagePushSignature, TMPL_IDS_PER_CALL, type SubscribeEventPush } from '../../../src/world/wechat/subscribe-messages.ts';

/** Real time plus an offset the dev endpoint can push forward, so a code can expire without waiting 5 minutes. */
class ShiftableClock implements Clock {
  #offsetMs = 0;

  now(): number {
    return systemClock.now() + this.#offsetMs;
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

/** Obviously fake credentials for offline play; the server must be started with the same pair. */
export const OFFLINE_APPID = 'wxofflineemulator0';
export const OFFLINE_SECRET = 'offline-emulator-secret-not-real';
export const DEMO_USER_ID = 'demo';

export interface EmulatorOptions {
  appid: string;
  secret: string;
  logger?: FastifyServerOptions['logger'];
  /**
   * The test user that WeChat DevTools stands for. DevTools' wx.login hands out
   * codes the real WeChat minted, which this emulator has never seen; with this
   * set, jscode2session adopts such a code: the first time it sees one it mints
   * a code for this user (as if the user had called wx.login) and exchanges
   * that one, so a second exchange of the same code is 40163 as with WeChat.
   * Codes this emulator minted keep their rules (expiry, single use).
   * DevTools without an AppID (tourist mode) hands out one fixed text from
   * every wx.login instead (TOURIST_LOGIN_CODE): each exchange of it is a new
   * login, since reuse cannot be told from a new call.
   */
  devtoolsUserId?: string;
}

/**
 * What wx.login returns in WeChat DevTools without an AppID (touristappid), every time. WeChat does not document
 * it; it is what projects that test in tourist mode special-case, and a real code never holds a space. In tourist
 * mode wx.checkSession fails as well, so the mini program logs in again on each compile with the same text.
 */
export const TOURIST_LOGIN_CODE = 'the code is a mock one';

/** How many minted and adopted codes adoption remembers; older ones are long expired anyway. */
const ADOPTION_MEMORY = 10_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > ADOPTION_MEMORY) map.delete(map.keys().next().value as K);
}

export interface Emulator {
  app: FastifyInstance;
  world: WeChatServer;
  /** Chats, their members and opengids, and how each user's mini program was entered (转发). */
  groups: ShareGroups;
}

const userBody = z
  .object({
    id: z.string().min(1).max(64),
    nickname: z.string().max(64).default('测试用户'),
    phoneNumber: z.string().regex(/^\d{5,15}$/).default('13800138000'),
    countryCode: z.string().regex(/^\d{1,4}$/).default('86'),
    highRisk: z.boolean().default(false),
  })
  .strict();
const userIdBody = z.object({ userId: z.string().min(1) }).strict();
const faultBody = z
  .object({ api: z.literal('jscode2session'), errcode: z.union([z.literal(-1), z.literal(45011)]) })
  .strict();
/**
 * Faults of the wire rather than of WeChat's rules: a reply that is not the
 * documented JSON, a redirect, no reply at all. The developer server must
 * survive each without crashing, following, or leaking.
 */
const transportApis = { jscode2session: '/sns/jscode2session', stable_token: '/cgi-bin/stable_token', getuserphonenumber: '/wxa/business/getuserphonenumber' } as const;
type TransportApi = keyof typeof transportApis;
const transportFaultBody = z
  .object({
    api: z.enum(['jscode2session', 'stable_token', 'getuserphonenumber']),
    fault: z.union([
      // Any JSON value in place of the real reply: {}, a string errcode, an object openid, a missing field…
      z.object({ json: z.unknown() }).strict(),
      z.object({ text: z.string().max(4096) }).strict(),
      z.object({ redirect: z.string().url() }).strict(),
      z.object({ hang: z.literal(true) }).strict(),
    ]),
    times: z.number().int().min(1).max(1000).default(1),
  })
  .strict();
type TransportFault = z.infer<typeof transportFaultBody>['fault'];

/**
 * At most a year a call: enough for every rule the emulator keeps (daily and monthly quotas, 7-day windows),
 * and far from the size where adding 7200 s to the clock no longer changes it and every access_token is born expired.
 */
const MAX_CLOCK_ADVANCE_MS = 366 * DAY;
const clockBody = z.object({ advanceMs: z.number().int().min(0).max(MAX_CLOCK_ADVANCE_MS) }).strict();
const rotationBody = z.object({ userId: z.string().min(1), next: z.enum(['rotate', 'keep', 'auto']) }).strict();
const templateBody = z
  .object({
    id: z.string().regex(/^[\w-]{1,64}$/).optional(),
    title: z.string().min(1).max(64),
    keywords: z.array(z.string().regex(/^[a-z_]+\d+$/, 'keywords look like thing1, time2')).min(1).max(20),
    kind: z.enum(['one-time', 'long-term']).default('one-time'),
  })
  .strict();
const acceptBody = z.object({ userId: z.string().min(1), templateId: z.string().min(1) }).strict();
const groupBody = z
  .object({ id: z.string().regex(/^[\w-]{1,64}$/), name: z.string().min(1).max(64).default('测试群'), members: z.array(z.string().min(1)).min(1).max(500) })
  .strict();
const openCardBody = z
  .object({
    userId: z.string().min(1),
    conversation: z.enum(['single', 'group', 'timeline']),
    groupId: z.string().min(1).optional(),
    withShareTicket: z.boolean().default(false),
  })
  .strict();
const shareInfoBody = z.object({ userId: z.string().min(1), shareTicket: z.string().min(1) }).strict();
const requestBody = z
  .object({
    userId: z.string().min(1),
    tmplIds: z.array(z.string().max(128)).max(20),
    /** The ids whose switch the user leaves on in the popup; the others are rejected. */
    accept: z.array(z.string().max(128)).max(20).default([]),
    /** 「总是保持以上选择，不再询问」. */
    keep: z.boolean().default(false),
    /** false: the call came after an await, not straight from the tap. */
    fromTap: z.boolean().default(true),
    era: z.enum(Object.keys(TMPL_IDS_PER_CALL) as [keyof typeof TMPL_IDS_PER_CALL]).default('current'),
  })
  .strict();
const mainSwitchBody = z.object({ userId: z.string().min(1), on: z.boolean() }).strict();
const industryBody = z.object({ industry: z.string().min(1).max(32) }).strict();
const livePagesBody = z.object({ pages: z.array(z.string().min(1).max(256)).max(200).nullable() }).strict();
const pushConfigBody = z.object({ url: loopbackUrl('the push URL'), token: z.string().regex(/^[A-Za-z0-9]{3,32}$/) }).strict();

/** Request logs keep the path only: WeChat's own query strings carry the AppSecret. */
export const pathOnlyRequestSerializer = (request: { method: string; url: string }) => ({
  method: request.method,
  url: request.url.split('?')[0],
});

export function buildEmulator(options: EmulatorOptions): Emulator {
  const clock = new ShiftableClock();
  const world = new WeChatServer({ clock, random: cryptoRandom });
  const groups = new ShareGroups({ clock, random: cryptoRandom, sessionKey: (appid, userId) => world.currentSessionKey(appid, userId) });
  world.registerApp({ appid: options.appid, secret: options.secret, name: '离线模拟小程序' });

  const app = Fastify({ logger: options.logger ?? false });
  app.setValidatorCompiler<ZodTypeAny>(({ schema }) => (data) => {
    const result = schema.safeParse(data);
    // One readable line per problem ("advanceMs: Number must be less than or equal to …"), not zod's JSON dump.
    const message = result.success ? '' : result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
    return result.success ? { value: result.data } : { error: new Error(message) };
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (!request.url.startsWith('/__dev/') && status < 500) {
      // What api.weixin.qq.com answers to a body it cannot parse; the model never sees such a request.
      return reply.code(200).send({ errcode: 47001, errmsg: 'data format error' });
    }
    const code = error.code && !error.code.startsWith('FST_') ? error.code : status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
    return reply.code(status).send(apiError(status, code, error.message).body);
  });
  const transportFaults = new Map<TransportApi, { fault: TransportFault; remaining: number }>();
  const hanging = new Set<() => void>();
  const apiByPath = new Map(Object.entries(transportApis).map(([api, path]) => [path as string, api as TransportApi]));
  app.addHook('onRequest', async (request, reply) => {
    const api = apiByPath.get(request.url.split('?')[0]!);
    const armed = api && transportFaults.get(api);
    if (!api || !armed) return;
    if (--armed.remaining === 0) transportFaults.delete(api);
    const { fault } = armed;
    if ('json' in fault) return reply.code(200).type('application/json').send(JSON.stringify(fault.json ?? null));
    if ('text' in fault) return reply.code(200).type('text/plain').send(fault.text);
    if ('redirect' in fault) return reply.code(307).header('location', fault.redirect).send();
    // Hang until the emulator closes; only the caller's own timeout ends it sooner.
    await new Promise<void>((resolve) => hanging.add(resolve));
    return reply.code(503).send();
  });
  app.addHook('preClose', async () => {
    for (const release of hanging) release();
    hanging.clear();
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(apiError(404, 'NOT_FOUND', `the emulator has no ${request.method} ${request.url.split('?')[0]}`).body);
  });

  // ── WeChat's endpoints: HTTP 200 with the official JSON, errors included ──

  /** Codes handed out by /__dev/login-code (value unused) and foreign codes adopted for the DevTools user → their stand-in. */
  const minted = new Map<string, true>();
  const adopted = new Map<string, string>();
  const adopt = (jsCode: string | undefined): string | undefined => {
    const userId = options.devtoolsUserId;
    if (!userId || !jsCode || minted.has(jsCode) || !world.user(userId)) return jsCode;
    if (jsCode === TOURIST_LOGIN_CODE) return world.issueLoginCode(options.appid, userId);
    let standIn = adopted.get(jsCode);
    if (!standIn) {
      standIn = world.issueLoginCode(options.appid, userId);
      remember(adopted, jsCode, standIn);
    }
    return standIn;
  };

  app.get<{ Querystring: Record<string, string> }>('/sns/jscode2session', async (request) =>
    world.jscode2session({ ...request.query, js_code: adopt(request.query.js_code) }),
  );
  app.get<{ Querystring: Record<string, string> }>('/cgi-bin/token', async (request) => world.token(request.query));
  app.post('/cgi-bin/stable_token', async (request) =>
    world.stableToken(typeof request.body === 'object' && request.body !== null ? request.body : {}),
  );
  app.post<{ Querystring: { access_token?: string } }>('/wxa/business/getuserphonenumber', async (request) =>
    world.getuserphonenumber(request.query, request.body),
  );
  app.post<{ Querystring: { access_token?: string } }>('/cgi-bin/message/subscribe/send', async (request) =>
    world.subscribeMessageSend(request.query, request.body),
  );

  // ── Dev-only: not part of WeChat ──

  app.post<{ Body: z.infer<typeof userBody> }>('/__dev/users', { schema: { body: userBody } }, async (request, reply) => {
    world.registerUser(request.body);
    return reply.code(201).send({ id: request.body.id, openid: world.openid(options.appid, request.body.id) });
  });

  const requireUser = (userId: string) => {
    if (world.user(userId)) return;
    throw Object.assign(new Error(`unknown test user ${userId}; create it with POST /__dev/users`), { statusCode: 404, code: 'UNKNOWN_USER' });
  };

  app.post<{ Body: z.infer<typeof userIdBody> }>('/__dev/login-code', { schema: { body: userIdBody } }, async (request) => {
    requireUser(request.body.userId);
    const code = world.issueLoginCode(options.appid, request.body.userId);
    if (options.devtoolsUserId) remember(minted, code, true);
    return { code };
  });

  app.post<{ Body: z.infer<typeof userIdBody> }>('/__dev/phone-code', { schema: { body: userIdBody } }, async (request, reply) => {
    requireUser(request.body.userId);
    const issued = world.issuePhoneCode(options.appid, request.body.userId);
    if (!issued.ok) return reply.code(409).send(apiError(409, `ERRNO_${issued.errno}`, issued.errMsg).body);
    return { code: issued.code };
  });

  // What the old getPhoneNumber button puts in e.detail: encrypted with the key WeChat holds *now*,
  // which after an unnoticed rotation is not the one the developer server stored. The old button
  // uses up the same quota as the new one.
  app.post<{ Body: z.infer<typeof userIdBody> }>('/__dev/phone-encrypted-data', { schema: { body: userIdBody } }, async (request, reply) => {
    requireUser(request.body.userId);
    const tapped = await world.tapOldPhoneButton(options.appid, request.body.userId);
    if (!tapped.ok) return reply.code(409).send(apiError(409, `ERRNO_${tapped.errno}`, tapped.errMsg).body);
    return { encryptedData: tapped.encryptedData, iv: tapped.iv };
  });

  // WeChat decides when wx.login refreshes session_key; tests need to decide it to reproduce the decrypt pitfall.
  app.post<{ Body: z.infer<typeof rotationBody> }>('/__dev/rotation', { schema: { body: rotationBody } }, async (request) => {
    requireUser(request.body.userId);
    world.setNextRotation(options.appid, request.body.userId, request.body.next);
    return { userId: request.body.userId, next: world.nextRotation(options.appid, request.body.userId) };
  });

  app.post<{ Body: z.infer<typeof templateBody> }>('/__dev/subscribe-templates', { schema: { body: templateBody } }, async (request, reply) => {
    if (request.body.kind === 'long-term' && !world.subscribeLongTermAllowed(options.appid)) {
      throw Object.assign(new Error('long-term templates are open only to some industries; set one with POST /__dev/subscribe-industry'), {
        statusCode: 409,
        code: 'INDUSTRY_NOT_ALLOWED',
      });
    }
    const id = world.addSubscribeTemplate(options.appid, request.body);
    return reply.code(201).send(world.subscribeTemplate(options.appid, id));
  });

  const requireTemplate = (templateId: string) => {
    if (world.subscribeTemplate(options.appid, templateId)) return;
    throw Object.assign(new Error(`unknown template ${templateId}; create it with POST /__dev/subscribe-templates`), {
      statusCode: 404,
      code: 'UNKNOWN_TEMPLATE',
    });
  };

  // Stands in for the user tapping 允许 in wx.requestSubscribeMessage: one accept, one send.
  app.post<{ Body: z.infer<typeof acceptBody> }>('/__dev/subscribe-accept', { schema: { body: acceptBody } }, async (request) => {
    const { userId, templateId } = request.body;
    requireUser(userId);
    requireTemplate(templateId);
    const left = world.acceptSubscription(options.appid, userId, templateId);
    const remaining = Number.isFinite(left) ? left : 'unlimited';
    // The openid is what subscribe/send's touser needs; a curl user has no other easy way to learn it.
    return { userId, openid: world.openid(options.appid, userId), templateId, remaining };
  });

  app.get('/__dev/subscribe-messages', async () => ({ messages: world.sentSubscribeMessages(options.appid) }));

  // ── 转发: stands in for the WeChat client when a user opens a card and calls the group APIs ──

  app.post<{ Body: z.infer<typeof groupBody> }>('/__dev/share-groups', { schema: { body: groupBody } }, async (request, reply) => {
    for (const member of request.body.members) requireUser(member);
    groups.addGroup(request.body);
    return reply.code(201).send({ id: request.body.id, members: request.body.members });
  });

  // The user taps a card in a chat: what App.onLaunch / onShow would receive.
  app.post<{ Body: z.infer<typeof openCardBody> }>('/__dev/open-card', { schema: { body: openCardBody } }, async (request, reply) => {
    const { userId, conversation, groupId, withShareTicket } = request.body;
    requireUser(userId);
    if (conversation === 'group' && !(groupId && groups.group(groupId)?.members.includes(userId))) {
      return reply.code(404).send(apiError(404, 'NOT_IN_GROUP', `${userId} is not a member of group ${groupId ?? '(none)'}`).body);
    }
    return groups.openCard(options.appid, userId, { conversation, ...(groupId ? { groupId } : {}), withShareTicket });
  });

  // wx.getGroupEnterInfo for this user's current launch: encrypted with the session_key WeChat holds now.
  app.post<{ Body: z.infer<typeof userIdBody> }>('/__dev/group-enter-info', { schema: { body: userIdBody } }, async (request, reply) => {
    requireUser(request.body.userId);
    const result = await groups.groupEnterInfo(options.appid, request.body.userId);
    if (!result.ok) return reply.code(409).send({ errCode: result.errCode, errMsg: result.errMsg });
    return { encryptedData: result.encryptedData, iv: result.iv };
  });

  // The older wx.getShareInfo({ shareTicket }), for base libraries before 2.17.3.
  app.post<{ Body: z.infer<typeof shareInfoBody> }>('/__dev/share-info', { schema: { body: shareInfoBody } }, async (request, reply) => {
    requireUser(request.body.userId);
    const result = await groups.shareInfo(options.appid, request.body.userId, request.body.shareTicket);
    if (!result.ok) return reply.code(409).send({ errCode: result.errCode, errMsg: result.errMsg });
    return { encryptedData: result.encryptedData, iv: result.iv };
  });

  // Stands in for the WeChat client running wx.requestSubscribeMessage, popup answer included.
  app.post<{ Body: z.infer<typeof requestBody> }>('/__dev/subscribe-request', { schema: { body: requestBody } }, async (request) => {
    const { userId, tmplIds, accept, keep, fromTap, era } = request.body;
    requireUser(userId);
    const start = world.beginSubscribeRequest(options.appid, userId, { tmplIds, fromTap, era });
    if (!start.ok) return { ok: false, ...(start.errCode ? { errCode: start.errCode } : {}), errMsg: start.errMsg };
    if (!start.popup) return { ok: true, popup: false, result: start.result };
    const answer = { accept: Object.fromEntries(start.asking.map((id) => [id, accept.includes(id)])), keep };
    return { ok: true, popup: true, result: world.answerSubscribePopup(options.appid, userId, { asking: start.asking, settled: start.settled, answer }) };
  });

  // 服务通知 → 消息卡片 → 拒收.
  app.post<{ Body: z.infer<typeof acceptBody> }>('/__dev/subscribe-reject', { schema: { body: acceptBody } }, async (request, reply) => {
    requireUser(request.body.userId);
    requireTemplate(request.body.templateId);
    world.rejectSubscriptionInInbox(options.appid, request.body.userId, request.body.templateId);
    return reply.code(204).send();
  });

  app.post<{ Body: z.infer<typeof mainSwitchBody> }>('/__dev/subscribe-main-switch', { schema: { body: mainSwitchBody } }, async (request, reply) => {
    requireUser(request.body.userId);
    world.setSubscribeMainSwitch(options.appid, request.body.userId, request.body.on);
    return reply.code(204).send();
  });

  app.post<{ Body: z.infer<typeof industryBody> }>('/__dev/subscribe-industry', { schema: { body: industryBody } }, async (request, reply) => {
    world.setSubscribeIndustry(options.appid, request.body.industry);
    return reply.code(204).send();
  });

  app.post<{ Body: z.infer<typeof livePagesBody> }>('/__dev/live-pages', { schema: { body: livePagesBody } }, async (request, reply) => {
    world.setLivePages(options.appid, request.body.pages ?? undefined);
    return reply.code(204).send();
  });

  // The quota ledger and what wx.getSetting({ withSubscriptions: true }) would show; Infinity is "unlimited" in JSON.
  app.get<{ Querystring: { userId?: string } }>('/__dev/subscribe-ledger', async (request) => {
    const userId = request.query.userId ?? '';
    requireUser(userId);
    return {
      ledger: world.subscribeLedger(options.appid, userId).map((row) => ({ ...row, left: Number.isFinite(row.left) ? row.left : 'unlimited' })),
      subscriptionsSetting: world.subscriptionsSetting(options.appid, userId),
    };
  });

  let pushConfig: z.infer<typeof pushConfigBody> | undefined;
  let pushed = 0;
  app.post<{ Body: z.infer<typeof pushConfigBody> }>('/__dev/push-config', { schema: { body: pushConfigBody } }, async (request, reply) => {
    pushConfig = request.body;
    return reply.code(204).send();
  });

  // Delivers the event pushes not yet delivered, in order, signed as 消息推送 signs them (明文模式, JSON).
  app.post('/__dev/push-events', async () => {
    if (!pushConfig) {
      throw Object.assign(new Error('configure the push URL first: POST /__dev/push-config { url, token }'), { statusCode: 409, code: 'NO_PUSH_URL' });
    }
    const pending: SubscribeEventPush[] = world.subscribeEvents(options.appid).slice(pushed);
    const results: { Event: string; status: number }[] = [];
    for (const push of pending) {
      const timestamp = String(Math.floor(clock.now() / 1000));
      const nonce = String(Math.floor(cryptoRandom.bytes(4).reduce((sum, byte) => sum * 256 + byte, 0)));
      const signature = await messagePushSignature(pushConfig.token, timestamp, nonce);
      const url = new URL(pushConfig.url);
      url.search = new URLSearchParams({ signature, timestamp, nonce }).toString();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(push),
        redirect: 'error',
        signal: AbortSignal.timeout(5000),
      });
      pushed += 1;
      results.push({ Event: push.Event, status: response.status });
    }
    return { pushed: results };
  });

  app.post<{ Body: z.infer<typeof faultBody> }>('/__dev/faults', { schema: { body: faultBody } }, async (request, reply) => {
    world.injectFault(request.body.api, request.body.errcode);
    return reply.code(204).send();
  });

  app.post<{ Body: z.infer<typeof transportFaultBody> }>('/__dev/transport-faults', { schema: { body: transportFaultBody } }, async (request, reply) => {
    transportFaults.set(request.body.api, { fault: request.body.fault, remaining: request.body.times });
    return reply.code(204).send();
  });

  backgroundFetchDevRoutes(app, {
    appid: options.appid,
    clock,
    requireUser,
    loginCode: (userId) => world.issueLoginCode(options.appid, userId),
  });

  app.post<{ Body: z.infer<typeof clockBody> }>('/__dev/clock', { schema: { body: clockBody } }, async (request) => {
    clock.advance(request.body.advanceMs);
    return { now: clock.now() };
  });

  return { app, world, groups };
}
