import { describe, expect, it } from 'vitest';
import { decryptWeChatData } from '../../src/world/support/crypto.ts';
import { DAY, MINUTE, SECOND } from '../../src/world/support/clock.ts';
import type { AccessTokenSuccess } from '../../src/world/wechat/access-token-issuer.ts';
import { APP, OTHER, weChatWithTwoApps } from '../support/wechat-server-fixture.ts';

function setup() {
  const { clock, wechat } = weChatWithTwoApps(3);
  const stable = (overrides: Record<string, unknown> = {}) =>
    wechat.stableToken({ grant_type: 'client_credential', appid: APP.appid, secret: APP.secret, force_refresh: false, ...overrides });
  const token = (overrides: Record<string, string> = {}) =>
    wechat.token({ grant_type: 'client_credential', appid: APP.appid, secret: APP.secret, ...overrides });
  const accessToken = () => (stable() as AccessTokenSuccess).access_token;
  /** getuserphonenumber with a fresh phone code, to see whether WeChat still accepts `accessToken`. */
  const phoneCall = (accessToken: string) => {
    const issued = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!issued.ok) throw new Error('quota');
    return wechat.getuserphonenumber({ access_token: accessToken }, { code: issued.code });
  };
  return { clock, wechat, stable, token, accessToken, phoneCall };
}

describe('old getPhoneNumber button: encryptedData', () => {
  it('is encrypted with the session_key current at that moment, watermark with appid and clock', async () => {
    const { clock, wechat } = setup();
    wechat.issueLoginCode(APP.appid, 'u1');
    const key = wechat.currentSessionKey(APP.appid, 'u1')!;
    const detail = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    expect(Object.keys(detail).sort()).toEqual(['encryptedData', 'iv']);
    const data = await decryptWeChatData({ appId: APP.appid, sessionKey: key, ...detail });
    expect(data).toEqual({
      phoneNumber: '13800000000',
      purePhoneNumber: '13800000000',
      countryCode: '86',
      watermark: { timestamp: Math.floor(clock.now() / 1000), appid: APP.appid },
    });
  });

  it('after a rotation, the old key no longer decrypts new data and the new one does not decrypt old data', async () => {
    const { wechat } = setup();
    wechat.issueLoginCode(APP.appid, 'u1');
    const first = wechat.currentSessionKey(APP.appid, 'u1')!;
    const before = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    wechat.setNextRotation(APP.appid, 'u1', 'rotate');
    wechat.issueLoginCode(APP.appid, 'u1');
    const second = wechat.currentSessionKey(APP.appid, 'u1')!;
    expect(second).not.toBe(first);
    await expect(decryptWeChatData({ appId: APP.appid, sessionKey: second, ...before })).rejects.toMatchObject({ code: -41003 });
    const after = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    await expect(decryptWeChatData({ appId: APP.appid, sessionKey: first, ...after })).rejects.toMatchObject({ code: -41003 });
    await expect(decryptWeChatData({ appId: APP.appid, sessionKey: second, ...after })).resolves.toHaveProperty('purePhoneNumber');
  });

  it('uses a fresh iv every time', async () => {
    const { wechat } = setup();
    wechat.issueLoginCode(APP.appid, 'u1');
    const a = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    const b = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    expect(a.iv).not.toBe(b.iv);
  });

  it('exposes and clears the pending rotation choice', () => {
    const { wechat } = setup();
    expect(wechat.nextRotation(APP.appid, 'u1')).toBe('auto');
    wechat.setNextRotation(APP.appid, 'u1', 'rotate');
    expect(wechat.nextRotation(APP.appid, 'u1')).toBe('rotate');
    wechat.issueLoginCode(APP.appid, 'u1');
    expect(wechat.nextRotation(APP.appid, 'u1')).toBe('auto');
  });
});

describe('new getPhoneNumber button: code + getuserphonenumber', () => {
  it('returns the official phone_info shape for a fresh code, stamped with the moment of the tap', () => {
    const { clock, wechat, accessToken } = setup();
    const tappedAt = clock.now();
    const issued = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!issued.ok) throw new Error('quota');
    // The server exchanges the code a minute later: the watermark still says when the user got the number.
    clock.advance(MINUTE);
    expect(wechat.getuserphonenumber({ access_token: accessToken() }, { code: issued.code })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: '13800000000',
        purePhoneNumber: '13800000000',
        countryCode: 86,
        watermark: { timestamp: Math.floor(tappedAt / 1000), appid: APP.appid },
      },
    });
  });

  it('a code is single use and lives five minutes: both failures are 40029', () => {
    const { clock, wechat, accessToken } = setup();
    const token = accessToken();
    const once = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!once.ok) throw new Error('quota');
    expect(wechat.getuserphonenumber({ access_token: token }, { code: once.code })).toHaveProperty('phone_info');
    expect(wechat.getuserphonenumber({ access_token: token }, { code: once.code })).toEqual({ errcode: 40029, errmsg: 'invalid code' });
    const late = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!late.ok) throw new Error('quota');
    clock.advance(5 * MINUTE + 1);
    expect(wechat.getuserphonenumber({ access_token: token }, { code: late.code })).toMatchObject({ errcode: 40029 });
  });

  it('a wx.login code is not a phone code, and another app cannot use this one', () => {
    const { wechat, accessToken } = setup();
    const loginCode = wechat.issueLoginCode(APP.appid, 'u1');
    expect(wechat.getuserphonenumber({ access_token: accessToken() }, { code: loginCode })).toMatchObject({ errcode: 40029 });
    const issued = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!issued.ok) throw new Error('quota');
    const otherToken = (wechat.stableToken({ grant_type: 'client_credential', appid: OTHER.appid, secret: OTHER.secret }) as AccessTokenSuccess)
      .access_token;
    expect(wechat.getuserphonenumber({ access_token: otherToken }, { code: issued.code })).toMatchObject({ errcode: 40029 });
  });

  it('checks openid against the code when one is sent', () => {
    const { wechat, accessToken } = setup();
    const token = accessToken();
    const a = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!a.ok) throw new Error('quota');
    expect(wechat.getuserphonenumber({ access_token: token }, { code: a.code, openid: 'oSomeoneElse' })).toMatchObject({ errcode: 40029 });
    const b = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!b.ok) throw new Error('quota');
    expect(wechat.getuserphonenumber({ access_token: token }, { code: b.code, openid: wechat.openid(APP.appid, 'u1') })).toHaveProperty(
      'phone_info',
    );
  });

  it('needs a valid access_token: unknown or replaced 40001, expired 42001', () => {
    const { clock, wechat, token } = setup();
    const issued = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!issued.ok) throw new Error('quota');
    expect(wechat.getuserphonenumber({}, { code: issued.code })).toMatchObject({ errcode: 40001 });
    expect(wechat.getuserphonenumber({ access_token: 'forged' }, { code: issued.code })).toMatchObject({ errcode: 40001 });
    const first = (token() as AccessTokenSuccess).access_token;
    token();
    token();
    expect(wechat.getuserphonenumber({ access_token: first }, { code: issued.code })).toMatchObject({ errcode: 40001 });
    const latest = (token() as AccessTokenSuccess).access_token;
    clock.advance(7200 * SECOND);
    expect(wechat.getuserphonenumber({ access_token: latest }, { code: issued.code })).toMatchObject({ errcode: 42001 });
  });

  it('counts quota and charges at the tap; errno 1400001 when the quota is gone', () => {
    const { wechat } = setup();
    expect(wechat.phoneQuota(APP.appid)).toBe(1000);
    wechat.issuePhoneCode(APP.appid, 'u1');
    expect(wechat.phoneQuota(APP.appid)).toBe(999);
    expect(wechat.phoneCharges(APP.appid)).toBe(1);
    wechat.setPhoneQuota(APP.appid, 0);
    expect(wechat.issuePhoneCode(APP.appid, 'u1')).toEqual({ ok: false, errno: 1400001, errMsg: 'getPhoneNumber:fail no quota' });
    expect(wechat.phoneCharges(APP.appid)).toBe(1);
  });
});

describe('access_token', () => {
  it('GET /cgi-bin/token: 7200 s; a new token leaves the previous one 5 minutes of grace, then 40001', () => {
    const { clock, wechat, token, phoneCall } = setup();
    const first = token() as AccessTokenSuccess;
    expect(first.expires_in).toBe(7200);
    clock.advance(MINUTE);
    const second = token() as AccessTokenSuccess;
    expect(second.access_token).not.toBe(first.access_token);
    expect(wechat.accessTokenStatus(first.access_token)).toEqual({ state: 'grace', until: clock.now() + 5 * MINUTE });
    clock.advance(5 * MINUTE - 1);
    expect(phoneCall(first.access_token)).toHaveProperty('phone_info');
    clock.advance(1);
    expect(phoneCall(first.access_token)).toMatchObject({ errcode: 40001 });
    expect(phoneCall(second.access_token)).toHaveProperty('phone_info');
  });

  it('GET /cgi-bin/token: a third fetch kills the token still in grace at once', () => {
    const { wechat, token } = setup();
    const first = (token() as AccessTokenSuccess).access_token;
    const second = (token() as AccessTokenSuccess).access_token;
    token();
    expect(wechat.accessTokenStatus(first)).toEqual({ state: 'revoked' });
    expect(wechat.accessTokenStatus(second).state).toBe('grace');
    expect(wechat.accessTokenStatus('forged')).toEqual({ state: 'unknown' });
  });

  it.each([
    ['unknown appid', { appid: 'wxnope' }, 40013],
    ['wrong secret', { secret: 'nope' }, 40001],
    ['wrong grant_type', { grant_type: 'authorization_code' }, 40002],
  ])('GET /cgi-bin/token with %s is %i', (_name, overrides, errcode) => {
    const { token, stable } = setup();
    expect(token(overrides as Record<string, string>)).toMatchObject({ errcode });
    expect(stable(overrides)).toMatchObject({ errcode });
  });

  it('stable_token normal mode returns the same token while valid, a new one in its last five minutes, and the old one keeps working', () => {
    const { clock, wechat, stable } = setup();
    const first = stable() as AccessTokenSuccess;
    clock.advance(MINUTE);
    const again = stable() as AccessTokenSuccess;
    expect(again.access_token).toBe(first.access_token);
    expect(again.expires_in).toBe(7200 - 60);
    clock.advance(7200 * SECOND - 5 * MINUTE);
    const next = stable() as AccessTokenSuccess;
    expect(next.access_token).not.toBe(first.access_token);
    const issued = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!issued.ok) throw new Error('quota');
    expect(wechat.getuserphonenumber({ access_token: first.access_token }, { code: issued.code })).toHaveProperty('phone_info');
  });

  it('stable_token force_refresh revokes the previous token, not within 30 s, at most 20 times a day', () => {
    const { clock, wechat, stable } = setup();
    const first = (stable() as AccessTokenSuccess).access_token;
    const forced = (stable({ force_refresh: true }) as AccessTokenSuccess).access_token;
    expect(forced).not.toBe(first);
    const issued = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!issued.ok) throw new Error('quota');
    expect(wechat.getuserphonenumber({ access_token: first }, { code: issued.code })).toMatchObject({ errcode: 40001 });
    expect((stable({ force_refresh: true }) as AccessTokenSuccess).access_token).toBe(forced);
    const seen = new Set([forced]);
    for (let i = 0; i < 25; i++) {
      clock.advance(31 * SECOND);
      seen.add((stable({ force_refresh: true }) as AccessTokenSuccess).access_token);
    }
    expect(seen.size).toBe(20);
    clock.advance(DAY);
    expect((stable({ force_refresh: true }) as AccessTokenSuccess).access_token).not.toBe([...seen].at(-1));
  });

  it('stable_token and /cgi-bin/token are isolated: neither revokes the other', () => {
    const { stable, token, phoneCall } = setup();
    const s = (stable() as AccessTokenSuccess).access_token;
    token();
    token();
    expect(phoneCall(s)).toHaveProperty('phone_info');
    const t = (token() as AccessTokenSuccess).access_token;
    stable({ force_refresh: true });
    expect(phoneCall(t)).toHaveProperty('phone_info');
    expect(phoneCall(s)).toMatchObject({ errcode: 40001 });
  });
});
