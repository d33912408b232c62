import { describe, expect, it } from 'vitest';
import { APPID, SECRET, advanceEmulatorClock, mintCode, useEmulator } from './helpers.ts';

const emulator = useEmulator({ erin: {} });

const get = (path: string) => fetch(`${emulator.url}${path}`).then(async (r) => ({ status: r.status, json: await r.json() }));
const post = (path: string, body: string) =>
  fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (r) => ({
    status: r.status,
    json: r.status === 204 ? undefined : await r.json(),
  }));
const jscode2session = (params: Record<string, string>) => get(`/sns/jscode2session?${new URLSearchParams(params)}`);
describe('WeChat endpoints of the emulator', () => {
  it('answers jscode2session with the official fields, and errors with HTTP 200 and errcode', async () => {
    const code = await mintCode(emulator.url, 'erin');
    const params = { appid: APPID, secret: SECRET, js_code: code, grant_type: 'authorization_code' };
    const ok = await jscode2session(params);
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.json).sort()).toEqual(['openid', 'session_key']);
    expect(Buffer.from(ok.json.session_key, 'base64')).toHaveLength(16);

    expect(await jscode2session(params)).toEqual({ status: 200, json: { errcode: 40163, errmsg: 'code been used' } });
    expect((await jscode2session({ ...params, secret: 'wrong-secret-000000' })).json.errcode).toBe(40125);
    expect((await jscode2session({ ...params, appid: 'wx0000000000000000' })).json.errcode).toBe(40013);
    expect((await jscode2session({ ...params, grant_type: 'client_credential' })).json.errcode).toBe(40002);
  });

  it('lets a code expire after 5 minutes of emulator time', async () => {
    const code = await mintCode(emulator.url, 'erin');
    await advanceEmulatorClock(emulator.url, 5 * 60 * 1000 + 1);
    const expired = await jscode2session({ appid: APPID, secret: SECRET, js_code: code, grant_type: 'authorization_code' });
    expect(expired.json).toEqual({ errcode: 40029, errmsg: 'invalid code' });
  });

  it('serves /cgi-bin/token and /cgi-bin/stable_token with their own rules', async () => {
    const token = await get(`/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`);
    expect(token.json).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    const body = JSON.stringify({ grant_type: 'client_credential', appid: APPID, secret: SECRET, force_refresh: false });
    const first = await post('/cgi-bin/stable_token', body);
    const second = await post('/cgi-bin/stable_token', body);
    expect(second.json.access_token).toBe(first.json.access_token);
    expect(first.json.access_token).not.toBe(token.json.access_token);
    expect((await post('/cgi-bin/stable_token', JSON.stringify({ grant_type: 'client_credential', appid: APPID, secret: 'x' }))).json.errcode).toBe(40001);
  });

  it('answers a body it cannot parse the way WeChat does (47001), not with a fastify error', async () => {
    expect(await post('/cgi-bin/stable_token', '{"grant_type":')).toEqual({ status: 200, json: { errcode: 47001, errmsg: 'data format error' } });
  });

  it('rejects getuserphonenumber without a valid access_token', async () => {
    const result = await post('/wxa/business/getuserphonenumber?access_token=forged', JSON.stringify({ code: 'x' }));
    expect(result.json).toEqual({ errcode: 40001, errmsg: expect.stringContaining('invalid credential') });
  });
});

describe('dev-only endpoints', () => {
  it('validates what it is given and names unknown users', async () => {
    expect((await post('/__dev/users', JSON.stringify({ id: 'x', admin: true }))).status).toBe(400);
    expect(await post('/__dev/login-code', JSON.stringify({ userId: 'nobody' }))).toMatchObject({
      status: 404,
      json: { error: { code: 'UNKNOWN_USER' } },
    });
    expect((await post('/__dev/faults', JSON.stringify({ api: 'jscode2session', errcode: 40029 }))).status).toBe(400);
  });

  it('moves the clock by at most a year a call, so it never gets where adding two hours changes nothing', async () => {
    for (const advanceMs of [1e300, 367 * 24 * 60 * 60 * 1000, -1, 1.5]) {
      expect(await post('/__dev/clock', JSON.stringify({ advanceMs }))).toMatchObject({ status: 400, json: { error: { code: 'BAD_REQUEST' } } });
    }
    const before = Date.now();
    const { json } = await post('/__dev/clock', JSON.stringify({ advanceMs: 366 * 24 * 60 * 60 * 1000 }));
    expect(json.now).toBeGreaterThanOrEqual(before + 366 * 24 * 60 * 60 * 1000);
  });

  it('injects a fault into the next jscode2session only', async () => {
    expect((await post('/__dev/faults', JSON.stringify({ api: 'jscode2session', errcode: -1 }))).status).toBe(204);
    const params = { appid: APPID, secret: SECRET, js_code: await mintCode(emulator.url, 'erin'), grant_type: 'authorization_code' };
    expect((await jscode2session(params)).json).toEqual({ errcode: -1, errmsg: 'system error' });
    expect((await jscode2session(params)).json.openid).toBe(emulator.world.openid(APPID, 'erin'));
  });

  it('returns the openid a registered user will have, and a 404 envelope elsewhere', async () => {
    const created = await post('/__dev/users', JSON.stringify({ id: 'frank', highRisk: true }));
    expect(created).toEqual({ status: 201, json: { id: 'frank', openid: emulator.world.openid(APPID, 'frank') } });
    expect(await get('/cgi-bin/nothing')).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
  });
});
