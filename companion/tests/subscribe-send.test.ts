/**
 * The companion's subscribe routes against the emulator, over real HTTP:
 * POST /api/subscribe/send (one consent, one message; WeChat's errcodes as
 * 4xx; the shared access_token), and POST /api/wechat/events (signed pushes,
 * the per-user estimate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagePushSignature } from '../../src/world/wechat/subscribe-messages.ts';
import { APPID, bearer, mintCode, SECRET, serverConfig, startServer, useEmulator, useTempDir, type RunningServer } from './helpers.ts';

const PUSH_TOKEN = 'pushToken123';
const emulator = useEmulator({ diner: {} });
let server: RunningServer;
const dir = useTempDir();
let tableReady: string;
let unconfigured: string;
let token: string;

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function dev(path: string, body: unknown): Promise<any> {
  const response = await fetch(`${emulator.url}${path}`, json(body));
  if (!response.ok) throw new Error(`${path} → ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

const tableData = { thing1: { value: '您的桌位已准备好' }, number2: { value: '42' } };
const send = (body: unknown, auth: Record<string, string> = bearer(token)) => server.request('/api/subscribe/send', json(body, auth));
const accept = (userId: string, templateId: string) => dev('/__dev/subscribe-request', { userId, tmplIds: [templateId], accept: [templateId] });

beforeAll(async () => {
  tableReady = (await dev('/__dev/subscribe-templates', { title: '排队叫号提醒', keywords: ['thing1', 'number2'] })).id;
  unconfigured = (await dev('/__dev/subscribe-templates', { title: '取餐提醒', keywords: ['thing1', 'phrase2'] })).id;
  server = await startServer(
    serverConfig(emulator.url, `${dir.path}/companion.db`, {
      ADMIN_DIAGNOSTICS: 'true',
      WECHAT_PUSH_TOKEN: PUSH_TOKEN,
      SUBSCRIBE_MINIPROGRAM_STATE: 'formal',
      SUBSCRIBE_TEMPLATES: JSON.stringify({ [tableReady]: ['thing1', 'number2'] }),
    }),
  );
  token = (await server.login(await mintCode(emulator.url, 'diner'))).json.token;
  await dev('/__dev/push-config', { url: `${server.url}/api/wechat/events`, token: PUSH_TOKEN });
});

afterAll(async () => {
  await server?.app.close();
});

describe('POST /api/subscribe/send', () => {
  it('sends once per accept: 200 { msgid }, then the second send is 409 SUBSCRIBE_43101', async () => {
    await accept('diner', tableReady);
    const first = await send({ templateId: tableReady, data: tableData });
    expect(first).toMatchObject({ status: 200, json: { msgid: expect.any(Number) } });
    expect(Object.keys(first.json)).toEqual(['msgid']);
    const second = await send({ templateId: tableReady, data: tableData });
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('SUBSCRIBE_43101');
  });

  it('checks a configured template before calling WeChat: a 25-character thing is 400 SUBSCRIBE_47003 naming the field', async () => {
    await accept('diner', tableReady);
    const long = await send({ templateId: tableReady, data: { ...tableData, thing1: { value: '您前面还有两百桌预计今天是吃不上了该干啥干啥去吧' } } });
    expect(long.status).toBe(400);
    expect(long.json.error.code).toBe('SUBSCRIBE_47003');
    expect(long.json.error.message).toContain('data.thing1.value');
    const missing = await send({ templateId: tableReady, data: { thing1: tableData.thing1 } });
    expect(missing.json.error).toMatchObject({ code: 'SUBSCRIBE_47003', message: expect.stringContaining('data.number2') });
    // Nothing reached WeChat, so the accept is still there.
    expect((await send({ templateId: tableReady, data: tableData })).status).toBe(200);
  });

  it("passes WeChat's own 47003 on for a template it does not know, with WeChat's field name", async () => {
    await accept('diner', unconfigured);
    const reply = await send({ templateId: unconfigured, data: { thing1: { value: '请到前台取餐' }, phrase2: { value: '已叫号 ' } } });
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatchObject({ code: 'SUBSCRIBE_47003', message: expect.stringContaining('data.phrase2.value') });
  });

  it('maps a wrong template id to 400 SUBSCRIBE_40037 and a page missing from the live version to 400 SUBSCRIBE_41030', async () => {
    const wrong = await send({ templateId: 'no-such-template', data: tableData });
    expect(wrong).toMatchObject({ status: 400, json: { error: { code: 'SUBSCRIBE_40037' } } });
    await dev('/__dev/live-pages', { pages: ['pages/index/index'] });
    await accept('diner', tableReady);
    const page = await send({ templateId: tableReady, data: tableData, page: 'pages/subscribe-message/subscribe-message' });
    expect(page).toMatchObject({ status: 400, json: { error: { code: 'SUBSCRIBE_41030' } } });
    await dev('/__dev/live-pages', { pages: null });
    expect((await send({ templateId: tableReady, data: tableData, page: 'pages/subscribe-message/subscribe-message' })).status).toBe(200);
  });

  it('answers 400 to a wrong body and 401 without a login token', async () => {
    for (const body of [{}, { templateId: tableReady }, { templateId: tableReady, data: '{"thing1":{"value":"x"}}' }, { templateId: tableReady, data: tableData, touser: 'someone-else' }]) {
      const reply = await send(body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.json.error.code).toBe('BAD_REQUEST');
    }
    expect((await send({ templateId: tableReady, data: tableData }, {})).status).toBe(401);
    expect((await send({ templateId: tableReady, data: tableData }, { authorization: 'Bearer a.b.c' })).status).toBe(401);
  });

  it('fetches the access_token once for 50 concurrent sends, and recovers once from a token revoked by a forced refresh', async () => {
    const stats = async () => (await server.request('/__admin/upstream-stats')).json;
    const before = await stats();
    for (let i = 0; i < 50; i++) await accept('diner', tableReady);
    // The cache may already hold a token from the tests above; revoke it so this burst has to fetch.
    await dev('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: APPID, secret: SECRET, force_refresh: true });
    const replies = await Promise.all(Array.from({ length: 50 }, () => send({ templateId: tableReady, data: tableData })));
    expect(replies.map((reply) => reply.status)).toEqual(Array(50).fill(200));
    const after = await stats();
    expect(after.accessTokenFetches - before.accessTokenFetches).toBe(1);
    expect(after.rejectedAccessTokens - before.rejectedAccessTokens).toBeGreaterThanOrEqual(1);
  });
});

describe('POST /api/wechat/events', () => {
  const estimate = async () => (await server.request('/api/subscribe/estimate', { headers: bearer(token) })).json.templates;

  it('keeps a per-user estimate from signed popup, sent and change events', async () => {
    await dev('/__dev/push-events', {});
    const base = (await estimate())[tableReady]?.left ?? 0;
    await dev('/__dev/subscribe-request', { userId: 'diner', tmplIds: [tableReady, unconfigured], accept: [tableReady] });
    const pushed = await dev('/__dev/push-events', {});
    expect(pushed.pushed).toEqual([{ Event: 'subscribe_msg_popup_event', status: 200 }]);
    expect((await estimate())[tableReady]).toEqual({ left: base + 1, refused: false });

    expect((await send({ templateId: tableReady, data: tableData })).status).toBe(200);
    await dev('/__dev/push-events', {});
    expect((await estimate())[tableReady].left).toBe(base);

    await dev('/__dev/subscribe-reject', { userId: 'diner', templateId: tableReady });
    expect((await dev('/__dev/push-events', {})).pushed).toEqual([{ Event: 'subscribe_msg_change_event', status: 200 }]);
    expect((await estimate())[tableReady]).toEqual({ left: 0, refused: true });
    expect((await send({ templateId: tableReady, data: tableData })).json.error.code).toBe('SUBSCRIBE_43101');
  });

  it('answers a push address that is no loopback http(s) URL with 400, and keeps pushing to the configured one', async () => {
    for (const url of ['not a url', 'http://', '', 'https://example.com/api/wechat/events', 'ftp://127.0.0.1/events']) {
      const response = await fetch(`${emulator.url}/__dev/push-config`, json({ url, token: PUSH_TOKEN }));
      expect({ url, status: response.status, code: (await response.json()).error.code }).toEqual({ url, status: 400, code: 'BAD_REQUEST' });
    }
    await accept('diner', unconfigured);
    expect((await dev('/__dev/push-events', {})).pushed).toEqual([{ Event: 'subscribe_msg_popup_event', status: 200 }]);
  });

  it('refuses a forged or missing signature with 401 and changes nothing', async () => {
    const before = await estimate();
    const openid = emulator.world.openid(APPID, 'diner');
    const forged = { ToUserName: 'gh_x', FromUserName: openid, CreateTime: 1, MsgType: 'event', Event: 'subscribe_msg_popup_event', List: { TemplateId: tableReady, SubscribeStatusString: 'accept', PopupScene: '0' } };
    const timestamp = '1714037059';
    const nonce = '486452656';
    const wrongToken = await messagePushSignature('notTheToken', timestamp, nonce);
    for (const query of [`signature=${wrongToken}&timestamp=${timestamp}&nonce=${nonce}`, `timestamp=${timestamp}&nonce=${nonce}`, '']) {
      const reply = await server.request(`/api/wechat/events?${query}`, json(forged));
      expect(reply.status, query).toBe(401);
      expect(reply.json.error.code).toBe('BAD_SIGNATURE');
    }
    expect(await estimate()).toEqual(before);
    const good = await messagePushSignature(PUSH_TOKEN, timestamp, nonce);
    expect((await server.request(`/api/wechat/events?signature=${good}&timestamp=${timestamp}&nonce=${nonce}`, json({ nope: 1 }))).status).toBe(400);
  });

  it("answers WeChat's URL check with echostr when the signature holds", async () => {
    const signature = await messagePushSignature(PUSH_TOKEN, '1714036504', '1514711492');
    const ok = await server.request(`/api/wechat/events?signature=${signature}&timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249`);
    expect(ok).toMatchObject({ status: 200, text: '4375120948345356249' });
    const bad = await server.request(`/api/wechat/events?signature=${'0'.repeat(40)}&timestamp=1714036504&nonce=1514711492&echostr=1`);
    expect(bad.status).toBe(401);
  });
});
