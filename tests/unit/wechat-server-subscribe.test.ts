import { describe, expect, it } from 'vitest';
import { HOUR } from '../../src/world/support/clock.ts';
import type { AccessTokenSuccess } from '../../src/world/wechat/access-token-issuer.ts';
import { APP, OTHER, weChatWithTwoApps } from '../support/wechat-server-fixture.ts';

function setup() {
  const { clock, wechat } = weChatWithTwoApps(7);
  wechat.registerUser({ id: 'u2', nickname: 'B', phoneNumber: '13900000000', countryCode: '86' });
  const accessToken = (app = APP) =>
    (wechat.stableToken({ grant_type: 'client_credential', appid: app.appid, secret: app.secret }) as AccessTokenSuccess).access_token;
  const template = wechat.addSubscribeTemplate(APP.appid, { title: '订单发货提醒', keywords: ['thing1', 'character_string2', 'time3'] });
  const data = { thing1: { value: '机械键盘' }, character_string2: { value: 'SF1234567890' }, time3: { value: '2026年11月23日 23:10' } };
  const send = (body: Record<string, unknown>, token = accessToken()) =>
    wechat.subscribeMessageSend({ access_token: token }, { touser: wechat.openid(APP.appid, 'u1'), template_id: template, data, ...body });
  return { clock, wechat, accessToken, template, data, send };
}

describe('subscribe messages: one accept, one send', () => {
  it('allows exactly one send per accept, then answers 43101', () => {
    const { wechat, template, send } = setup();
    expect(send({})).toMatchObject({ errcode: 43101 });
    expect(wechat.acceptSubscription(APP.appid, 'u1', template)).toBe(1);
    expect(send({ page: 'pages/order/index?id=7', miniprogram_state: 'developer', lang: 'en_US' })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      msgid: expect.any(Number),
    });
    expect(wechat.subscriptionsLeft(APP.appid, 'u1', template)).toBe(0);
    expect(send({})).toEqual({ errcode: 43101, errmsg: 'user refuse to accept the msg' });
    expect(wechat.sentSubscribeMessages(APP.appid)).toEqual([
      expect.objectContaining({ userId: 'u1', templateId: template, page: 'pages/order/index?id=7', miniprogramState: 'developer', lang: 'en_US' }),
    ]);
  });

  it('adds accepts up, per user and per template', () => {
    const { wechat, template, send } = setup();
    const other = wechat.addSubscribeTemplate(APP.appid, { title: '退款通知', keywords: ['amount1'] });
    wechat.acceptSubscription(APP.appid, 'u1', template);
    expect(wechat.acceptSubscription(APP.appid, 'u1', template)).toBe(2);
    wechat.acceptSubscription(APP.appid, 'u2', other);
    expect(wechat.subscriptionsLeft(APP.appid, 'u2', template)).toBe(0);
    expect(send({}).errcode).toBe(0);
    expect(send({}).errcode).toBe(0);
    expect(send({}).errcode).toBe(43101);
    // u2's accept for another template does not let u1, or u2 on this template, receive anything.
    expect(send({ touser: wechat.openid(APP.appid, 'u2') }).errcode).toBe(43101);
    expect(send({ touser: wechat.openid(APP.appid, 'u2'), template_id: other, data: { amount1: { value: '¥12.50' } } }).errcode).toBe(0);
  });

  it('does not use up a subscription on a rejected request', () => {
    const { wechat, template, send } = setup();
    wechat.acceptSubscription(APP.appid, 'u1', template);
    expect(send({ data: 'not an object' }).errcode).toBe(47003);
    expect(send({ template_id: 'nope' }).errcode).toBe(40037);
    expect(wechat.subscriptionsLeft(APP.appid, 'u1', template)).toBe(1);
    expect(send({}).errcode).toBe(0);
  });
});

describe('subscribe messages: error codes (facts §10)', () => {
  it('answers 40001 for an unknown or revoked access_token and 42001 for an expired one', () => {
    const { wechat, clock, send, accessToken } = setup();
    expect(send({}, 'forged')).toMatchObject({ errcode: 40001 });
    const old = accessToken();
    wechat.stableToken({ grant_type: 'client_credential', appid: APP.appid, secret: APP.secret, force_refresh: true });
    expect(send({}, old)).toMatchObject({ errcode: 40001 });
    const current = accessToken();
    clock.advance(2 * HOUR + 1);
    expect(send({}, current)).toMatchObject({ errcode: 42001 });
  });

  it('answers 40003 for a missing, unknown or other-app openid', () => {
    const { wechat, send } = setup();
    expect(send({ touser: undefined })).toEqual({ errcode: 40003, errmsg: 'invalid openid' });
    expect(send({ touser: 'oNoSuchUser000000000000000000' }).errcode).toBe(40003);
    expect(send({ touser: wechat.openid(OTHER.appid, 'u1') }).errcode).toBe(40003);
  });

  it("answers 40037 for a missing, unknown or other app's template_id", () => {
    const { wechat, send } = setup();
    const foreign = wechat.addSubscribeTemplate(OTHER.appid, { title: 'x', keywords: ['thing1'] });
    expect(send({ template_id: undefined })).toEqual({ errcode: 40037, errmsg: 'invalid template_id' });
    expect(send({ template_id: 'x'.repeat(43) }).errcode).toBe(40037);
    expect(send({ template_id: foreign }).errcode).toBe(40037);
  });

  it.each([
    ['data as a JSON string', { data: JSON.stringify({ thing1: { value: 'x' } }) }, 'data'],
    ['data missing', { data: undefined }, 'data'],
    ['data as an array', { data: [] }, 'data'],
    ['a keyword missing', { data: { thing1: { value: 'x' }, time3: { value: '15:01' } } }, 'data.character_string2.value'],
    ['a bare value instead of { value }', { data: { thing1: 'x', character_string2: { value: 'A1' }, time3: { value: '15:01' } } }, 'data.thing1.value'],
    ['an empty value', { data: { thing1: { value: ' ' }, character_string2: { value: 'A1' }, time3: { value: '15:01' } } }, 'data.thing1.value'],
    ['thing over 20 characters', { data: { thing1: { value: '一二三四五六七八九十一二三四五六七八九十一' }, character_string2: { value: 'A1' }, time3: { value: '15:01' } } }, 'data.thing1.value'],
    ['character_string with spaces', { data: { thing1: { value: 'x' }, character_string2: { value: 'A 1' }, time3: { value: '15:01' } } }, 'data.character_string2.value'],
    ['an unknown miniprogram_state', { miniprogram_state: 'production' }, 'miniprogram_state'],
    ['an unknown lang', { lang: 'fr_FR' }, 'lang'],
    ['page not a string', { page: 42 }, 'page'],
  ])('answers 47003 for %s, naming the field', (_name, body, field) => {
    const { wechat, template, send } = setup();
    wechat.acceptSubscription(APP.appid, 'u1', template);
    expect(send(body)).toEqual({ errcode: 47003, errmsg: `argument invalid! ${field} invalid` });
  });

  it('accepts exactly 20 characters of thing and numbers as values', () => {
    const { wechat, send } = setup();
    const template = wechat.addSubscribeTemplate(APP.appid, { title: '积分', keywords: ['thing1', 'number2'] });
    wechat.acceptSubscription(APP.appid, 'u1', template);
    expect(send({ template_id: template, data: { thing1: { value: '一二三四五六七八九十一二三四五六七八九十' }, number2: { value: 12.5 } } }).errcode).toBe(0);
  });
});

describe('subscribe templates and accepts: world controls', () => {
  it('refuses unknown apps, users, templates and malformed keywords', () => {
    const { wechat, template } = setup();
    expect(() => wechat.addSubscribeTemplate('wxnope', { title: 'x', keywords: ['thing1'] })).toThrow(/appid/);
    expect(() => wechat.addSubscribeTemplate(APP.appid, { title: 'x', keywords: [] })).toThrow(/keywords/);
    expect(() => wechat.addSubscribeTemplate(APP.appid, { title: 'x', keywords: ['Thing 1'] })).toThrow(/keywords/);
    expect(() => wechat.acceptSubscription(APP.appid, 'nobody', template)).toThrow(/user/);
    expect(() => wechat.acceptSubscription(APP.appid, 'u1', 'nope')).toThrow(/template/);
  });

  it('keeps a chosen template id and returns copies', () => {
    const { wechat } = setup();
    const id = wechat.addSubscribeTemplate(APP.appid, { id: 'fixed-template-id', title: '提醒', keywords: ['thing1'] });
    expect(id).toBe('fixed-template-id');
    const copy = wechat.subscribeTemplate(APP.appid, id)!;
    copy.keywords.push('thing2');
    expect(wechat.subscribeTemplate(APP.appid, id)?.keywords).toEqual(['thing1']);
    expect(wechat.subscribeTemplate(OTHER.appid, id)).toBeUndefined();
  });

  it('generates 43-character template ids', () => {
    const { template } = setup();
    expect(template).toMatch(/^[\w-]{43}$/);
  });
});
