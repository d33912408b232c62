/**
 * One ready-made world for the simulators: a WeChat server, one mini program
 * account, one user on one phone, and the developer server between them, all
 * on a virtual clock and a seeded random source. Each flow's simulation adds
 * what it needs on top; the parts are the same ones the companion uses.
 */
import { VirtualClock } from './support/clock.ts';
import { createAccessTokenProvider } from './developer/access-token.ts';
import { createDeveloperServer, createMemorySessionStore, type DeveloperServerOptions, type WeChatApi } from './developer/developer-server.ts';
import { isWeChatError } from './wechat/errors.ts';
import type { HttpRequest, HttpResponse } from './support/http.ts';
import { createLoginTokenIssuer } from './developer/login-token.ts';
import { seededRandom, seedFrom } from './support/random.ts';
import { WeChatClient } from './wechat/wechat-client.ts';
import { WeChatServer } from './wechat/wechat-server.ts';
import { silentWire, type Recorder, type SimMessage } from './support/wire.ts';

export const DEMO_APP = {
  appid: 'wx8a1b2c3d4e5f6a7b',
  /** A made-up secret for the simulation only. */
  secret: 'demo0secret0not0real0000000000aa',
  name: '能力实验室',
} as const;

export const DEMO_USER = {
  id: 'user-1',
  nickname: '小林',
  phoneNumber: '13580006666',
  countryCode: '86',
} as const;

export const DEVELOPER_ORIGIN = 'https://api.lab.example.com';

export const TOKEN_LIFETIME_SECONDS = 2 * 60 * 60;

/** The login tokens of a simulated developer server: a fixed, public secret, since a simulation protects nothing. */
function simulatedLoginTokens(clock: VirtualClock) {
  return createLoginTokenIssuer({
    secret: new TextEncoder().encode('simulation-only-token-secret-32bytes!'),
    clock,
    lifetimeSeconds: TOKEN_LIFETIME_SECONDS,
  });
}

/** The demo app's developer server on a simulated clock, with the simulated login tokens; each world adds its own parts. */
export function simulatedDeveloperServer(clock: VirtualClock, parts: Pick<DeveloperServerOptions, 'wechat' | 'sessions'> & Partial<DeveloperServerOptions>) {
  return createDeveloperServer({ tokens: simulatedLoginTokens(clock), now: () => clock.now(), appid: DEMO_APP.appid, ...parts });
}

export interface SimulatedWorld {
  clock: VirtualClock;
  wechat: WeChatServer;
  client: WeChatClient;
  sessions: ReturnType<typeof createMemorySessionStore>;
  server: ReturnType<typeof createDeveloperServer>;
  settings: { exposeSessionKey: boolean };
  /** Set by the engine for the duration of one step, so every party can report what crosses the wire. */
  wire: Recorder;
  /** The developer server's access_token cache (stable_token), for the phone-number chapter's view. */
  accessTokens: ReturnType<typeof createAccessTokenProvider>;
}


/** `name` seeds the world's randomness: the same name always draws the same codes and keys. */
export function createSimulatedWorld(name: string): SimulatedWorld {
  const clock = new VirtualClock();
  const random = seededRandom(seedFrom(name));
  const wechat = new WeChatServer({ clock, random });
  wechat.registerApp({ ...DEMO_APP, openPlatformId: 'open-lab' });
  wechat.registerUser({ ...DEMO_USER });

  const world = { clock, wechat, settings: { exposeSessionKey: false }, wire: silentWire } as SimulatedWorld;

  /** One developer-server → WeChat API call, with both directions recorded for the sequence diagram. */
  const callWeChat = <T>(label: string, payload: unknown, secrets: readonly string[], call: () => T, successLabel: string, responseSecrets: readonly string[] = []): T => {
    world.wire.record({ from: 'developer', to: 'wechat', label, payload, secrets });
    const response = call();
    const failed = isWeChatError(response);
    world.wire.record({
      from: 'wechat',
      to: 'developer',
      label: failed ? `errcode ${(response as { errcode: number }).errcode}` : successLabel,
      payload: response,
      ...(responseSecrets.length ? { secrets: responseSecrets } : {}),
      tone: failed ? 'error' : 'normal',
    });
    return response;
  };

  const wechatApi: WeChatApi = {
    async code2Session(jsCode) {
      const query = { appid: DEMO_APP.appid, secret: DEMO_APP.secret, js_code: jsCode, grant_type: 'authorization_code' };
      return callWeChat('GET /sns/jscode2session', query, ['secret'], () => wechat.jscode2session(query), 'openid + session_key', ['session_key']);
    },
    async getUserPhoneNumber(code, accessToken) {
      return callWeChat(
        'POST /wxa/business/getuserphonenumber',
        { access_token: accessToken, body: { code } },
        ['access_token'],
        () => wechat.getuserphonenumber({ access_token: accessToken }, { code }),
        'phone_info',
      );
    },
  };

  world.accessTokens = createAccessTokenProvider({
    now: () => clock.now(),
    fetchToken: async () => {
      const body = { grant_type: 'client_credential', appid: DEMO_APP.appid, secret: DEMO_APP.secret, force_refresh: false };
      return callWeChat('POST /cgi-bin/stable_token', body, ['secret'], () => wechat.stableToken(body), 'access_token', ['access_token']);
    },
  });

  world.sessions = createMemorySessionStore();
  world.server = simulatedDeveloperServer(clock, {
    wechat: wechatApi,
    sessions: world.sessions,
    exposeSessionKey: () => world.settings.exposeSessionKey,
    accessTokens: world.accessTokens,
  });

  world.client = new WeChatClient({
    wechat,
    appid: DEMO_APP.appid,
    userId: DEMO_USER.id,
    requestDomains: { [DEVELOPER_ORIGIN]: (request) => routeDeveloperRequest(world, request) },
  });
  return world;
}

/** The developer server's HTTP surface as the simulated network sees it, recording both directions. */
async function routeDeveloperRequest(world: SimulatedWorld, request: HttpRequest): Promise<HttpResponse> {
  const message: SimMessage = {
    from: 'miniprogram',
    to: 'developer',
    label: `${request.method} ${request.path}`,
    payload: request.body ?? (request.headers.authorization ? { Authorization: request.headers.authorization } : undefined),
  };
  // A long query string would swamp the diagram's label; show it as the payload instead, exactly as sent.
  const [path, query] = request.path.split('?');
  if (query !== undefined) Object.assign(message, { label: `${request.method} ${path}?…`, payload: { query } });
  world.wire.record(message);
  let response: HttpResponse;
  if (request.method === 'POST' && request.path === '/api/login') response = await world.server.login(request.body);
  else if (request.method === 'GET' && request.path === '/api/me') response = await world.server.me(request.headers.authorization);
  else if (request.method === 'POST' && request.path.split('?')[0] === '/api/phone/decrypt') {
    response = await world.server.phoneDecrypt(request.headers.authorization, phoneDecryptPayload(request));
  } else if (request.method === 'POST' && request.path === '/api/phone/code') {
    response = await world.server.phoneCode(request.headers.authorization, request.body);
  } else response = { status: 404, body: { error: { code: 'NOT_FOUND', message: '没有这个接口' } } };
  world.wire.record(responseMessage(response));
  return response;
}

/**
 * A server framework reads a query string the way URLSearchParams does, so an
 * unencoded `+` in encryptedData arrives as a space: the mangling is real,
 * not staged.
 */
function phoneDecryptPayload(request: HttpRequest): unknown {
  const query = request.path.split('?')[1];
  if (query === undefined) return request.body;
  return Object.fromEntries(new URLSearchParams(query));
}

export function responseMessage(response: HttpResponse): SimMessage {
  const failed = response.status >= 400;
  return {
    from: 'developer',
    to: 'miniprogram',
    label: `${response.status}${failed ? ' 错误' : ' OK'}`,
    payload: response.body,
    secrets: ['session_key'],
    tone: failed ? 'error' : 'normal',
  };
}
