import { describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/world/support/clock.ts';
import { seededRandom } from '../../src/world/support/random.ts';
import { WeChatServer } from '../../src/world/wechat/wechat-server.ts';
import { APP, OTHER, weChatWithTwoApps } from '../support/wechat-server-fixture.ts';

function setup() {
  const { clock, wechat } = weChatWithTwoApps(1);
  const exchange = (js_code: string, overrides: Record<string, string> = {}) =>
    wechat.jscode2session({ appid: APP.appid, secret: APP.secret, js_code, grant_type: 'authorization_code', ...overrides });
  return { clock, wechat, exchange };
}

describe('auth.code2Session', () => {
  it('exchanges a fresh code for openid and the session_key bound to it, without errcode', () => {
    const { wechat, exchange } = setup();
    const code = wechat.issueLoginCode(APP.appid, 'u1');
    const result = exchange(code);
    expect(result).toEqual({ openid: wechat.openid(APP.appid, 'u1'), session_key: wechat.currentSessionKey(APP.appid, 'u1') });
    expect(result).not.toHaveProperty('errcode');
    expect(atob((result as { session_key: string }).session_key)).toHaveLength(16);
  });

  it('accepts a code for exactly five minutes', () => {
    const { clock, wechat, exchange } = setup();
    const onTime = wechat.issueLoginCode(APP.appid, 'u1');
    clock.advance(5 * MINUTE);
    expect(exchange(onTime)).toHaveProperty('openid');
    const late = wechat.issueLoginCode(APP.appid, 'u1');
    clock.advance(5 * MINUTE + 1);
    expect(exchange(late)).toEqual({ errcode: 40029, errmsg: 'invalid code' });
  });

  it('accepts a code once: the second exchange is 40163', () => {
    const { wechat, exchange } = setup();
    const code = wechat.issueLoginCode(APP.appid, 'u1');
    expect(exchange(code)).toHaveProperty('openid');
    expect(exchange(code)).toMatchObject({ errcode: 40163 });
  });

  it('rejects unknown codes and codes of another AppID with 40029', () => {
    const { wechat, exchange } = setup();
    expect(exchange('nope')).toMatchObject({ errcode: 40029 });
    const foreign = wechat.issueLoginCode(OTHER.appid, 'u1');
    expect(exchange(foreign)).toMatchObject({ errcode: 40029 });
  });

  it('checks appid, secret and grant_type before the code', () => {
    const { wechat, exchange } = setup();
    const code = wechat.issueLoginCode(APP.appid, 'u1');
    expect(exchange(code, { appid: 'wxunknown' })).toMatchObject({ errcode: 40013 });
    expect(exchange(code, { secret: 'wrong' })).toMatchObject({ errcode: 40125 });
    expect(exchange(code, { grant_type: 'client_credential' })).toMatchObject({ errcode: 40002 });
    expect(exchange(code)).toHaveProperty('openid');
  });

  it('blocks high-risk users with 40226', () => {
    const { wechat, exchange } = setup();
    wechat.setHighRisk('u1', true);
    expect(exchange(wechat.issueLoginCode(APP.appid, 'u1'))).toMatchObject({ errcode: 40226 });
  });

  it('limits each user to 100 exchanges a minute (45011), and the next minute is fresh', () => {
    const { clock, wechat, exchange } = setup();
    const results = Array.from({ length: 101 }, () => exchange(wechat.issueLoginCode(APP.appid, 'u1')));
    expect(results.slice(0, 100).every((r) => 'openid' in r)).toBe(true);
    expect(results[100]).toMatchObject({ errcode: 45011 });
    clock.advance(MINUTE);
    expect(exchange(wechat.issueLoginCode(APP.appid, 'u1'))).toHaveProperty('openid');
  });

  it('fails once with an injected fault and leaves the code usable', () => {
    const { wechat, exchange } = setup();
    const code = wechat.issueLoginCode(APP.appid, 'u1');
    wechat.injectFault('jscode2session', -1);
    expect(exchange(code)).toEqual({ errcode: -1, errmsg: 'system error' });
    expect(exchange(code)).toHaveProperty('openid');
  });

  it('returns unionid only for apps bound to an Open Platform account, shared across them', () => {
    const { clock, exchange } = setup();
    const wechat = new WeChatServer({ clock, random: seededRandom(2) });
    wechat.registerApp({ ...APP, openPlatformId: 'op' });
    wechat.registerApp({ appid: 'wxsibling', secret: 's', name: 'Sibling', openPlatformId: 'op' });
    wechat.registerUser({ id: 'u1', nickname: 'A', phoneNumber: '1', countryCode: '86' });
    const a = wechat.jscode2session({ appid: APP.appid, secret: APP.secret, js_code: wechat.issueLoginCode(APP.appid, 'u1'), grant_type: 'authorization_code' });
    const b = wechat.jscode2session({ appid: 'wxsibling', secret: 's', js_code: wechat.issueLoginCode('wxsibling', 'u1'), grant_type: 'authorization_code' });
    expect(a).toHaveProperty('unionid');
    expect((a as { unionid: string }).unionid).toBe((b as { unionid: string }).unionid);
    expect((a as { openid: string }).openid).not.toBe((b as { openid: string }).openid);
    expect(exchange('x')).not.toHaveProperty('unionid');
  });
});

describe('session_key lifecycle', () => {
  it('keeps the key when wx.login is called again within the minimum refresh period', () => {
    const { clock, wechat } = setup();
    wechat.issueLoginCode(APP.appid, 'u1');
    const first = wechat.currentSessionKey(APP.appid, 'u1');
    clock.advance(MINUTE);
    wechat.issueLoginCode(APP.appid, 'u1');
    expect(wechat.currentSessionKey(APP.appid, 'u1')).toBe(first);
  });

  it('rotates after the period, or when forced; "keep" holds it', () => {
    const { clock, wechat } = setup();
    wechat.issueLoginCode(APP.appid, 'u1');
    const first = wechat.currentSessionKey(APP.appid, 'u1');
    clock.advance(10 * MINUTE);
    wechat.setNextRotation(APP.appid, 'u1', 'keep');
    wechat.issueLoginCode(APP.appid, 'u1');
    expect(wechat.currentSessionKey(APP.appid, 'u1')).toBe(first);
    wechat.issueLoginCode(APP.appid, 'u1');
    const second = wechat.currentSessionKey(APP.appid, 'u1');
    expect(second).not.toBe(first);
    wechat.setNextRotation(APP.appid, 'u1', 'rotate');
    wechat.issueLoginCode(APP.appid, 'u1');
    expect(wechat.currentSessionKey(APP.appid, 'u1')).not.toBe(second);
  });

  it('a code exchanged after a rotation still carries the key it was issued with', () => {
    const { wechat, exchange } = setup();
    const older = wechat.issueLoginCode(APP.appid, 'u1');
    wechat.setNextRotation(APP.appid, 'u1', 'rotate');
    wechat.issueLoginCode(APP.appid, 'u1');
    const result = exchange(older) as { session_key: string };
    expect(result.session_key).not.toBe(wechat.currentSessionKey(APP.appid, 'u1'));
  });

  it('checkSession follows the latest session and fails once WeChat expires it', () => {
    const { wechat } = setup();
    expect(wechat.checkSession(APP.appid, 'u1')).toBe(false);
    wechat.issueLoginCode(APP.appid, 'u1');
    expect(wechat.checkSession(APP.appid, 'u1')).toBe(true);
    wechat.expireSession(APP.appid, 'u1');
    expect(wechat.checkSession(APP.appid, 'u1')).toBe(false);
  });
});
