/**
 * POST /api/share/group against the emulator: the group card's encrypted
 * data is really encrypted with the opener's session_key by the emulator's
 * WeChat model, and really decrypted by the server with the key it stored
 * at that user's login.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptWeChatData } from '../../src/world/support/crypto.ts';
import { APPID, bearer, mintCode, setNextRotation, serverConfig, startServer, useEmulator, useTempDir, type RunningServer } from './helpers.ts';

const emulator = useEmulator({ alice: {}, bob: {}, carol: {}, dan: {} });
let server: RunningServer;
const dir = useTempDir();
const GROUP = 'study-group';

async function devPost(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function loginAs(userId: string): Promise<string> {
  const response = await server.login(await mintCode(emulator.url, userId));
  expect(response.status).toBe(200);
  return response.json.token;
}

/** The user taps a card, then the page calls wx.getGroupEnterInfo: what the mini program would hold. */
async function openAndGetGroupInfo(userId: string, conversation: 'single' | 'group' = 'group', withShareTicket = true) {
  const entry = await devPost('/__dev/open-card', { userId, conversation, ...(conversation === 'group' ? { groupId: GROUP } : {}), withShareTicket });
  expect(entry.status).toBe(200);
  return { entry: entry.json, info: await devPost('/__dev/group-enter-info', { userId }) };
}

const sendGroup = (token: string | undefined, body: unknown) =>
  server.request('/api/share/group', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

beforeAll(async () => {
  server = await startServer(serverConfig(emulator.url, `${dir.path}/companion.db`));
  expect((await devPost('/__dev/share-groups', { id: GROUP, name: '周末读书群', members: ['alice', 'bob', 'carol'] })).status).toBe(201);
});

afterAll(async () => {
  await server?.app.close();
});

describe('the emulator as the WeChat client (group cards)', () => {
  it('gives a ticket and scene 1044 only for a group card shared with withShareTicket', async () => {
    expect((await devPost('/__dev/open-card', { userId: 'bob', conversation: 'single', withShareTicket: true })).json).toEqual({
      scene: 1007,
      ticketed: false,
      chatType: 1,
      shareTicket: null,
    });
    expect((await devPost('/__dev/open-card', { userId: 'bob', conversation: 'group', groupId: GROUP, withShareTicket: false })).json).toMatchObject({
      scene: 1008,
      shareTicket: null,
      chatType: 3,
    });
    const ticketed = await devPost('/__dev/open-card', { userId: 'bob', conversation: 'group', groupId: GROUP, withShareTicket: true });
    expect(ticketed.json).toMatchObject({ scene: 1044, chatType: 3, shareTicket: expect.any(String) });
  });

  it('answers getGroupEnterInfo with 40097 when the launch did not come from a group card', async () => {
    await loginAs('bob');
    const { info } = await openAndGetGroupInfo('bob', 'single');
    expect(info).toEqual({ status: 409, json: { errCode: 40097, errMsg: expect.stringContaining('getGroupEnterInfo:fail') } });
  });

  it('refuses to open a group card for someone outside the group', async () => {
    const outsider = await devPost('/__dev/open-card', { userId: 'dan', conversation: 'group', groupId: GROUP, withShareTicket: true });
    expect(outsider.status).toBe(404);
  });
});

describe('POST /api/share/group', () => {
  it('decrypts with the opener’s key: bob and carol get the same opengid, and the server counts both', async () => {
    const bobToken = await loginAs('bob');
    const carolToken = await loginAs('carol');
    const bob = await openAndGetGroupInfo('bob');
    const carol = await openAndGetGroupInfo('carol');
    // Same group, different keys: the ciphertexts differ.
    expect(bob.info.json.encryptedData).not.toBe(carol.info.json.encryptedData);

    const first = await sendGroup(bobToken, bob.info.json);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.json).toEqual({ opengid: expect.stringMatching(/^tG\w+$/), members: 1 });
    const second = await sendGroup(carolToken, carol.info.json);
    expect(second.json).toEqual({ opengid: first.json.opengid, members: 2 });
    // Opening again does not count twice.
    expect((await sendGroup(bobToken, (await openAndGetGroupInfo('bob')).info.json)).json).toEqual({ opengid: first.json.opengid, members: 2 });
  });

  it('cannot decrypt one user’s group data with another user’s key (carol sends bob’s data)', async () => {
    await loginAs('bob');
    const carolToken = await loginAs('carol');
    const { info } = await openAndGetGroupInfo('bob');
    const response = await sendGroup(carolToken, info.json);
    expect(response).toMatchObject({ status: 409, json: { error: { code: 'SESSION_KEY_MISMATCH' } } });
  });

  it('answers 409 after a wx.login rotated the key without telling the server, and works again after a re-login', async () => {
    const token = await loginAs('bob');
    await setNextRotation(emulator.url, 'bob', 'rotate');
    const unsentCode = await mintCode(emulator.url, 'bob');
    const { info } = await openAndGetGroupInfo('bob');
    const stale = await sendGroup(token, info.json);
    expect(stale).toMatchObject({ status: 409, json: { error: { code: 'SESSION_KEY_MISMATCH', message: expect.stringContaining('重新登录') } } });

    const fresh = await server.login(unsentCode);
    expect(fresh.status).toBe(200);
    expect((await sendGroup(fresh.json.token, info.json)).status).toBe(200);
  });

  it('refuses data sealed for another mini program (watermark.appid)', async () => {
    const token = await loginAs('bob');
    const sessionKey = emulator.world.currentSessionKey(APPID, 'bob')!;
    const foreign = await encryptWeChatData({ appId: 'wxsomeoneelse00000', sessionKey, data: { opengid: 'tGforeign' }, timestamp: 1_700_000_000 });
    expect(await sendGroup(token, foreign)).toMatchObject({ status: 400, json: { error: { code: 'WATERMARK_MISMATCH' } } });
  });

  it('refuses decrypted data that carries no group id', async () => {
    const token = await loginAs('bob');
    const sessionKey = emulator.world.currentSessionKey(APPID, 'bob')!;
    const phoneLike = await encryptWeChatData({ appId: APPID, sessionKey, data: { phoneNumber: '13800138000' }, timestamp: 1_700_000_000 });
    expect(await sendGroup(token, phoneLike)).toMatchObject({ status: 400, json: { error: { code: 'NOT_GROUP_INFO' } } });
  });

  it('answers tampered and malformed input with 400, and a missing login with 401', async () => {
    const token = await loginAs('bob');
    const { info } = await openAndGetGroupInfo('bob');
    const cases: Array<[unknown, string]> = [
      [{ encryptedData: info.json.encryptedData }, 'BAD_REQUEST'],
      [{ ...info.json, errMsg: 'getGroupEnterInfo:ok' }, 'BAD_REQUEST'],
      [{ ...info.json, iv: 42 }, 'BAD_REQUEST'],
      ['{"encryptedData":', 'MALFORMED_JSON'],
      [{ ...info.json, iv: 'short' }, 'BAD_IV'],
      [{ ...info.json, encryptedData: '%%% not base64 %%%' }, 'BAD_ENCRYPTED_DATA'],
      [{ ...info.json, encryptedData: info.json.encryptedData.slice(0, -4) }, 'BAD_ENCRYPTED_DATA'],
    ];
    for (const [body, code] of cases) {
      const response = await sendGroup(token, body);
      expect({ body, status: response.status, code: response.json?.error?.code }).toEqual({ body, status: 400, code });
    }
    expect(await sendGroup(undefined, info.json)).toMatchObject({ status: 401, json: { error: { code: 'TOKEN_MISSING' } } });
    // Still serving after all that.
    expect((await sendGroup(token, info.json)).status).toBe(200);
  });
});
