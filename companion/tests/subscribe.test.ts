import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPID, SECRET, advanceEmulatorClock, registerUser, startEmulator, type RunningEmulator } from './helpers.ts';

let emulator: RunningEmulator;
let accessToken: string;
let templateId: string;
let openid: string;

const post = (path: string, body: unknown) =>
  fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: await r.json() }));

const data = { thing1: { value: '机械键盘已发货' }, character_string2: { value: 'SF1234567890' } };
const send = (body: Record<string, unknown> = {}, token = accessToken) =>
  post(`/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`, {
    touser: openid,
    template_id: templateId,
    page: 'pages/order/index?id=7',
    data,
    miniprogram_state: 'developer',
    lang: 'zh_CN',
    ...body,
  });
const accept = (userId = 'gina', template = templateId) => post('/__dev/subscribe-accept', { userId, templateId: template });

beforeAll(async () => {
  emulator = await startEmulator();
  openid = (await registerUser(emulator.url, 'gina')).openid;
  await registerUser(emulator.url, 'hank');
  const template = await post('/__dev/subscribe-templates', { title: '发货提醒', keywords: ['thing1', 'character_string2'] });
  expect(template).toEqual({ status: 201, json: { id: expect.stringMatching(/^[\w-]{43}$/), title: '发货提醒', keywords: ['thing1', 'character_string2'], kind: 'one-time' } });
  templateId = template.json.id;
  accessToken = (await post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: APPID, secret: SECRET })).json.access_token;
});

afterAll(async () => {
  await emulator?.app.close();
});

describe('POST /cgi-bin/message/subscribe/send on the emulator', () => {
  it('sends once per accept: the second send answers 43101', async () => {
    expect((await send()).json).toEqual({ errcode: 43101, errmsg: 'user refuse to accept the msg' });
    expect(await accept()).toEqual({ status: 200, json: { userId: 'gina', openid, templateId, remaining: 1 } });
    expect(await send()).toEqual({ status: 200, json: { errcode: 0, errmsg: 'ok', msgid: expect.any(Number) } });
    expect((await send()).json).toMatchObject({ errcode: 43101 });

    const delivered = await fetch(`${emulator.url}/__dev/subscribe-messages`).then((r) => r.json());
    expect(delivered.messages).toEqual([
      expect.objectContaining({ userId: 'gina', templateId, page: 'pages/order/index?id=7', data, miniprogramState: 'developer', lang: 'zh_CN' }),
    ]);
  });

  it('answers 47003 when data is sent as a JSON string, without using up the subscription', async () => {
    await accept();
    expect((await send({ data: JSON.stringify(data) })).json).toEqual({ errcode: 47003, errmsg: 'argument invalid! data invalid' });
    expect((await send({ data: { ...data, thing1: { value: '这是一个超过二十个字符的物品名称因此不符合规则' } } })).json).toEqual({
      errcode: 47003,
      errmsg: 'argument invalid! data.thing1.value invalid',
    });
    expect((await send()).json.errcode).toBe(0);
  });

  it('answers 40003 for a wrong touser and 40037 for a wrong template_id', async () => {
    await accept();
    expect((await send({ touser: 'oNotAUserOfThisApp0000000000' })).json).toEqual({ errcode: 40003, errmsg: 'invalid openid' });
    expect((await send({ touser: undefined })).json.errcode).toBe(40003);
    expect((await send({ template_id: 'no-such-template' })).json).toEqual({ errcode: 40037, errmsg: 'invalid template_id' });
    // Someone else's accept is not this user's.
    await accept('hank');
    expect((await send()).json.errcode).toBe(0);
    expect((await send()).json.errcode).toBe(43101);
  });

  it('answers 47001 for a body that is not JSON, as for the other endpoints', async () => {
    expect(await post(`/cgi-bin/message/subscribe/send?access_token=${accessToken}`, '{"touser":')).toEqual({
      status: 200,
      json: { errcode: 47001, errmsg: 'data format error' },
    });
  });

  it('answers 40001 for a forged access_token and 42001 once it has expired', async () => {
    await accept();
    expect((await send({}, 'forged-token')).json).toMatchObject({ errcode: 40001 });
    await advanceEmulatorClock(emulator.url, 2 * 60 * 60 * 1000 + 1000);
    expect((await send()).json).toEqual({ errcode: 42001, errmsg: 'access_token expired' });
  });
});

describe('dev-only subscribe endpoints', () => {
  it('validates templates and accepts, and names what is unknown', async () => {
    expect((await post('/__dev/subscribe-templates', { title: 'x', keywords: ['Thing 1'] })).status).toBe(400);
    expect((await post('/__dev/subscribe-templates', { title: 'x', keywords: [] })).status).toBe(400);
    expect(await accept('nobody')).toMatchObject({ status: 404, json: { error: { code: 'UNKNOWN_USER' } } });
    expect(await accept('gina', 'no-such-template')).toMatchObject({ status: 404, json: { error: { code: 'UNKNOWN_TEMPLATE' } } });
  });

  it('keeps a template id chosen by the test', async () => {
    expect(await post('/__dev/subscribe-templates', { id: 'fixed-id_1', title: '提醒', keywords: ['thing1'] })).toMatchObject({
      status: 201,
      json: { id: 'fixed-id_1' },
    });
  });
});

describe('dev-only rotation and encrypted phone data', () => {
  it('sets the next rotation and validates its input', async () => {
    expect(await post('/__dev/rotation', { userId: 'gina', next: 'rotate' })).toEqual({ status: 200, json: { userId: 'gina', next: 'rotate' } });
    expect(emulator.world.nextRotation(APPID, 'gina')).toBe('rotate');
    expect((await post('/__dev/rotation', { userId: 'gina', next: 'always' })).status).toBe(400);
    expect((await post('/__dev/rotation', { userId: 'nobody', next: 'keep' })).status).toBe(404);
  });

  it("returns e.detail's encryptedData and iv, and nothing else", async () => {
    const detail = await post('/__dev/phone-encrypted-data', { userId: 'gina' });
    expect(detail.status).toBe(200);
    expect(Object.keys(detail.json).sort()).toEqual(['encryptedData', 'iv']);
    expect((await post('/__dev/phone-encrypted-data', { userId: 'nobody' })).status).toBe(404);
  });

  it('uses up the same quota as the new button: errno 1400001 when it is gone', async () => {
    emulator.world.setPhoneQuota(APPID, 1);
    const charges = emulator.world.phoneCharges(APPID);
    expect((await post('/__dev/phone-encrypted-data', { userId: 'gina' })).status).toBe(200);
    expect(emulator.world.phoneQuota(APPID)).toBe(0);
    expect(emulator.world.phoneCharges(APPID)).toBe(charges + 1);
    expect(await post('/__dev/phone-encrypted-data', { userId: 'gina' })).toMatchObject({ status: 409, json: { error: { code: 'ERRNO_1400001' } } });
    expect(emulator.world.phoneCharges(APPID)).toBe(charges + 1);
  });
});
