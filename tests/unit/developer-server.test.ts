import { describe, expect, it } from 'vitest';
import { HOUR, VirtualClock } from '../../src/world/support/clock.ts';
import { createDeveloperServer, createMemorySessionStore, type WeChatApi } from '../../src/world/developer/developer-server.ts';
import { createLoginTokenIssuer } from '../../src/world/developer/login-token.ts';
import { seededRandom } from '../../src/world/support/random.ts';
import { WeChatServer } from '../../src/world/wechat/wechat-server.ts';

const APP = { appid: 'wxapp0000000000001', secret: 'secret-1', name: 'Test' };
const SECRET = new TextEncoder().encode('a-test-secret-that-is-32-bytes-long!');

function setup(options: { exposeSessionKey?: boolean; wechatApi?: WeChatApi } = {}) {
  const clock = new VirtualClock();
  const wechat = new WeChatServer({ clock, random: seededRandom(7) });
  wechat.registerApp(APP);
  wechat.registerUser({ id: 'u1', nickname: 'A', phoneNumber: '13800000000', countryCode: '86' });
  const sessions = createMemorySessionStore();
  const tokens = createLoginTokenIssuer({ secret: SECRET, clock, lifetimeSeconds: 2 * 60 * 60 });
  const server = createDeveloperServer({
    wechat: options.wechatApi ?? {
      code2Session: async (js_code) => wechat.jscode2session({ appid: APP.appid, secret: APP.secret, js_code, grant_type: 'authorization_code' }),
    },
    sessions,
    tokens,
    now: () => clock.now(),
    exposeSessionKey: () => options.exposeSessionKey ?? false,
  });
  return { clock, wechat, sessions, server, code: () => wechat.issueLoginCode(APP.appid, 'u1') };
}

describe('POST /api/login', () => {
  it('stores session_key server-side and returns only a token', async () => {
    const { server, sessions, wechat, code } = setup();
    const response = await server.login({ code: code() });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body as object).sort()).toEqual(['expiresIn', 'token']);
    const openid = wechat.openid(APP.appid, 'u1');
    expect((await sessions.get(openid))?.sessionKey).toBe(wechat.currentSessionKey(APP.appid, 'u1'));
    const payload = JSON.parse(atob((response.body as { token: string }).token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
    expect(payload.sub).toBe(openid);
    expect(JSON.stringify(payload)).not.toContain(wechat.currentSessionKey(APP.appid, 'u1'));
  });

  it('the wrong design really leaks session_key, which is why it is only a simulator switch', async () => {
    const { server, code } = setup({ exposeSessionKey: true });
    const response = await server.login({ code: code() });
    expect(response.body).toHaveProperty('session_key');
  });

  it.each([
    ['expired code', 40029, 401],
    ['used code', 40163, 401],
    ['high-risk user', 40226, 403],
    ['rate limit', 45011, 429],
    ['WeChat busy', -1, 502],
    ['unlisted errcode', 40999, 502],
  ])('maps %s (%i) to HTTP %i and keeps the errcode visible', async (_name, errcode, status) => {
    const { server } = setup({ wechatApi: { code2Session: async () => ({ errcode, errmsg: 'x' }) } });
    const response = await server.login({ code: 'abc' });
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: { code: `WECHAT_${errcode}` } });
  });

  it('hides its own misconfiguration (bad appid/secret) behind a 500', async () => {
    for (const errcode of [40013, 40125, 40002]) {
      const { server } = setup({ wechatApi: { code2Session: async () => ({ errcode, errmsg: 'x' }) } });
      expect(await server.login({ code: 'abc' })).toMatchObject({ status: 500, body: { error: { code: 'SERVER_MISCONFIGURED' } } });
    }
  });

  it('answers 502 when WeChat cannot be reached', async () => {
    const { server } = setup({ wechatApi: { code2Session: async () => Promise.reject(new Error('ECONNREFUSED')) } });
    expect(await server.login({ code: 'abc' })).toMatchObject({ status: 502, body: { error: { code: 'WECHAT_UNREACHABLE' } } });
  });

  it.each([[undefined], [null], ['code'], [{}], [{ code: '' }], [{ code: 42 }], [{ code: 'a', extra: 1 }], [{ code: 'x'.repeat(129) }]])(
    'rejects the body %j with 400',
    async (body) => {
      const { server } = setup();
      expect(await server.login(body)).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    },
  );
});

describe('GET /api/me', () => {
  it('accepts the token until it expires, then answers TOKEN_EXPIRED', async () => {
    const { server, clock, code } = setup();
    const { token } = (await server.login({ code: code() })).body as { token: string };
    expect(await server.me(`Bearer ${token}`)).toMatchObject({ status: 200, body: { openid: expect.any(String) } });
    clock.advance(2 * HOUR);
    expect(await server.me(`Bearer ${token}`)).toMatchObject({ status: 401, body: { error: { code: 'TOKEN_EXPIRED' } } });
  });

  it('rejects missing, malformed and forged tokens', async () => {
    const { server, code } = setup();
    const { token } = (await server.login({ code: code() })).body as { token: string };
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    expect(await server.me(undefined)).toMatchObject({ status: 401, body: { error: { code: 'TOKEN_MISSING' } } });
    expect(await server.me('Token abc')).toMatchObject({ status: 401, body: { error: { code: 'TOKEN_MISSING' } } });
    expect(await server.me(`Bearer ${forged}`)).toMatchObject({ status: 401, body: { error: { code: 'TOKEN_INVALID' } } });
  });

  it('rejects a valid token whose session the server no longer has', async () => {
    const clock = new VirtualClock();
    const tokens = createLoginTokenIssuer({ secret: SECRET, clock, lifetimeSeconds: 60 });
    const server = createDeveloperServer({
      wechat: { code2Session: async () => ({ errcode: -1, errmsg: '' }) },
      sessions: createMemorySessionStore(),
      tokens,
      now: () => clock.now(),
    });
    const token = await tokens.issue({ openid: 'o-gone' });
    expect(await server.me(`Bearer ${token}`)).toMatchObject({ status: 401, body: { error: { code: 'SESSION_UNKNOWN' } } });
  });
});
