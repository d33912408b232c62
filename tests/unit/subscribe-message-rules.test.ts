/**
 * The subscribe-message rules of the simulated world, table-driven: the
 * request's checks and popup, 「总是保持」, the ledger (one-time and
 * long-term), 拒收, the main switch, send's 41030, the event pushes and their
 * signature (the official example vector), and the developer server's checks.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/world/support/clock.ts';
import { seededRandom } from '../../src/world/support/random.ts';
import type { AccessTokenSuccess } from '../../src/world/wechat/access-token-issuer.ts';
import {
  keywordValueProblem,
  LONG_TERM_INDUSTRIES,
  messagePushSignature,
  PHRASE_MAX_HAN,
  TAP_GESTURE_ERRMSG,
  THING_MAX_CHARS,
  TMPL_IDS_PER_CALL,
  type SubscribeEra,
} from '../../src/world/wechat/subscribe-messages.ts';
import { WeChatServer } from '../../src/world/wechat/wechat-server.ts';
import { createSubscribeEventReceiver, createSubscribeSender, verifyPushSignature } from '../../src/world/developer/subscribe-send.ts';

const APP = { appid: 'wxapp0000000000001', secret: 'secret-1', name: 'Test' };

function setup() {
  const wechat = new WeChatServer({ clock: new VirtualClock(), random: seededRandom(11) });
  wechat.registerApp(APP);
  wechat.registerUser({ id: 'u1', nickname: 'A', phoneNumber: '13800000000', countryCode: '86' });
  const ids = Array.from({ length: 6 }, (_, i) => wechat.addSubscribeTemplate(APP.appid, { title: `提醒 ${i}`, keywords: ['thing1'] }));
  const token = (wechat.stableToken({ grant_type: 'client_credential', appid: APP.appid, secret: APP.secret }) as AccessTokenSuccess).access_token;
  const send = (templateId: string, body: Record<string, unknown> = {}) =>
    wechat.subscribeMessageSend({ access_token: token }, { touser: wechat.openid(APP.appid, 'u1'), template_id: templateId, data: { thing1: { value: '桌位已备好' } }, ...body });
  const request = (tmplIds: unknown, options: { fromTap?: boolean; era?: SubscribeEra } = {}) =>
    wechat.beginSubscribeRequest(APP.appid, 'u1', { tmplIds, fromTap: options.fromTap ?? true, era: options.era ?? 'current' });
  /** A whole call: the popup's answer for the ids it asks. */
  const subscribe = (tmplIds: string[], accept: string[], keep = false) => {
    const start = request(tmplIds);
    if (!start.ok) return start;
    if (!start.popup) return { ...start, popupShown: false };
    const answer = { accept: Object.fromEntries(start.asking.map((id) => [id, accept.includes(id)])), keep };
    return { ok: true, popupShown: true, result: wechat.answerSubscribePopup(APP.appid, 'u1', { asking: start.asking, settled: start.settled, answer }) };
  };
  return { wechat, ids, send, request, subscribe };
}

describe('wx.requestSubscribeMessage on WeChat’s side', () => {
  it.each([
    ['not from a tap', { tmplIds: ['A'], fromTap: false }, undefined, TAP_GESTURE_ERRMSG],
    ['no ids', { tmplIds: [] }, 10001, 'requestSubscribeMessage:fail TmplIds can\'t be empty'],
    ['ids not an array', { tmplIds: 'A' }, 10001, undefined],
    ['an unknown id', { tmplIds: ['nope'] }, 20001, undefined],
  ] as [string, { tmplIds: unknown; fromTap?: boolean }, number | undefined, string | undefined][])('fails for %s', (_name, call, errCode, errMsg) => {
    const { request } = setup();
    const start = request(call.tmplIds, { fromTap: call.fromTap ?? true });
    expect(start.ok).toBe(false);
    if (start.ok) return;
    expect(start.errCode).toBe(errCode);
    if (errMsg) expect(start.errMsg).toBe(errMsg);
  });

  it.each([
    ['current', 5],
    ['before2025', 3],
  ] as const)('allows %s docs’ limit of %i ids per call, and fails one more with 20003', (era, limit) => {
    const { request, ids } = setup();
    expect(TMPL_IDS_PER_CALL[era]).toBe(limit);
    expect(request(ids.slice(0, limit), { era }).ok).toBe(true);
    expect(request(ids.slice(0, limit + 1), { era })).toMatchObject({ ok: false, errCode: 20003 });
  });

  it('refuses one-time mixed with long-term (20002), and long-term templates outside the listed industries', () => {
    const { wechat, ids, request } = setup();
    expect(() => wechat.addSubscribeTemplate(APP.appid, { title: '长期', keywords: ['thing1'], kind: 'long-term' })).toThrow(/long-term/);
    wechat.setSubscribeIndustry(APP.appid, LONG_TERM_INDUSTRIES[1]);
    const longTerm = wechat.addSubscribeTemplate(APP.appid, { title: '就诊提醒', keywords: ['thing1'], kind: 'long-term' });
    expect(request([ids[0], longTerm])).toMatchObject({ ok: false, errCode: 20002 });
  });

  it('fails with 20004 while the main switch is off', () => {
    const { wechat, ids, request } = setup();
    wechat.setSubscribeMainSwitch(APP.appid, 'u1', false);
    expect(request([ids[0]])).toMatchObject({ ok: false, errCode: 20004 });
    expect(wechat.subscriptionsSetting(APP.appid, 'u1').mainSwitch).toBe(false);
    wechat.setSubscribeMainSwitch(APP.appid, 'u1', true);
    expect(request([ids[0]])).toMatchObject({ ok: true, popup: true });
  });

  it('answers per template: accept counts, reject does not; a duplicate title is filtered', () => {
    const { wechat, ids, subscribe } = setup();
    const twin = wechat.addSubscribeTemplate(APP.appid, { title: '提醒 0', keywords: ['thing1'] });
    const called = subscribe([ids[0]!, ids[1]!, twin], [ids[0]!]);
    expect(called).toMatchObject({ ok: true, popupShown: true, result: { errMsg: 'requestSubscribeMessage:ok', [ids[0]!]: 'accept', [ids[1]!]: 'reject', [twin]: 'filter' } });
    expect(wechat.subscriptionsLeft(APP.appid, 'u1', ids[0]!)).toBe(1);
    expect(wechat.subscriptionsLeft(APP.appid, 'u1', ids[1]!)).toBe(0);
  });

  it('「总是保持」 skips the popup but still counts one per call; kept choices are what getSetting lists', () => {
    const { wechat, ids, subscribe } = setup();
    expect(subscribe([ids[0]!, ids[1]!], [ids[0]!], true)).toMatchObject({ popupShown: true });
    for (let call = 2; call <= 3; call++) {
      expect(subscribe([ids[0]!, ids[1]!], [])).toMatchObject({ popupShown: false, result: { [ids[0]!]: 'accept', [ids[1]!]: 'reject' } });
      expect(wechat.subscriptionsLeft(APP.appid, 'u1', ids[0]!)).toBe(call);
    }
    expect(wechat.subscriptionsSetting(APP.appid, 'u1')).toEqual({ mainSwitch: true, itemSettings: { [ids[0]!]: 'accept', [ids[1]!]: 'reject' } });
  });
});

describe('the ledger and subscribe/send', () => {
  it('one accept, one send; a long-term subscription is not counted', () => {
    const { wechat, ids, send, subscribe } = setup();
    subscribe([ids[0]!], [ids[0]!]);
    expect(send(ids[0]!)).toMatchObject({ errcode: 0 });
    expect(send(ids[0]!)).toMatchObject({ errcode: 43101 });
    wechat.setSubscribeIndustry(APP.appid, '交通');
    const longTerm = wechat.addSubscribeTemplate(APP.appid, { title: '航班变动', keywords: ['thing1'], kind: 'long-term' });
    subscribe([longTerm], [longTerm]);
    for (let i = 0; i < 3; i++) expect(send(longTerm)).toMatchObject({ errcode: 0 });
    expect(wechat.subscribeLedger(APP.appid, 'u1').find((row) => row.templateId === longTerm)).toEqual({ templateId: longTerm, kind: 'long-term', left: Infinity });
  });

  it('拒收 in 服务通知 empties the row, keeps reject for the next call and pushes a change event', () => {
    const { wechat, ids, send, subscribe } = setup();
    subscribe([ids[0]!], [ids[0]!]);
    subscribe([ids[0]!], [ids[0]!]);
    wechat.rejectSubscriptionInInbox(APP.appid, 'u1', ids[0]!);
    expect(send(ids[0]!)).toMatchObject({ errcode: 43101 });
    expect(subscribe([ids[0]!], [ids[0]!])).toMatchObject({ popupShown: false, result: { [ids[0]!]: 'reject' } });
    expect(wechat.subscribeEvents(APP.appid).map((event) => event.Event)).toEqual([
      'subscribe_msg_popup_event',
      'subscribe_msg_popup_event',
      'subscribe_msg_change_event',
    ]);
  });

  it('answers 41030 for a formal send to a page missing from the live version, not for developer or trial', () => {
    const { wechat, ids, send, subscribe } = setup();
    wechat.setLivePages(APP.appid, ['pages/index/index']);
    subscribe([ids[0]!], [ids[0]!]);
    expect(send(ids[0]!, { page: 'pages/queue/queue?no=42' })).toMatchObject({ errcode: 41030 });
    expect(send(ids[0]!, { page: '/pages/index/index?from=msg' })).toMatchObject({ errcode: 0 });
    subscribe([ids[0]!], [ids[0]!]);
    expect(send(ids[0]!, { page: 'pages/queue/queue', miniprogram_state: 'trial' })).toMatchObject({ errcode: 0 });
  });

  it('pushes one popup event per popup with List as an object for one item and an array for several, and a sent event per success', () => {
    const { wechat, ids, send, subscribe } = setup();
    subscribe([ids[0]!], [ids[0]!]);
    subscribe([ids[1]!, ids[2]!], [ids[1]!]);
    const { msgid } = send(ids[0]!) as { msgid: number };
    const events = wechat.subscribeEvents(APP.appid);
    expect(events[0]!.List).toEqual({ TemplateId: ids[0], SubscribeStatusString: 'accept', PopupScene: '0' });
    expect(events[1]!.List).toEqual([
      { TemplateId: ids[1], SubscribeStatusString: 'accept', PopupScene: '0' },
      { TemplateId: ids[2], SubscribeStatusString: 'reject', PopupScene: '0' },
    ]);
    expect(events[2]).toMatchObject({ Event: 'subscribe_msg_sent_event', List: { TemplateId: ids[0], MsgID: String(msgid), ErrorCode: '0', ErrorStatus: 'success' } });
  });
});

describe('the value table', () => {
  it.each([
    ['thing1', 'x'.repeat(THING_MAX_CHARS), null],
    ['thing1', '您前面还有两百桌预计今天是吃不上了该干啥干啥去吧', /20 个字符/],
    ['thing1', '', /不能为空/],
    ['phrase2', '已叫号', null],
    ['phrase2', '已'.repeat(PHRASE_MAX_HAN + 1), /汉字/],
    ['phrase2', '已叫号 ', /汉字/],
    ['number3', '42', null],
    ['number3', '四十二', /number/],
    ['character_string4', 'A042', null],
    ['time5', '2026年11月23日 18:30', null],
    ['time5', '18:30~19:00', null],
    ['time5', '下午六点半', /time/],
    ['time5', '25:00', /time/],
    ['date6', '2026-11-23', null],
    ['date6', '2026年11月23日 18:30~2026年11月24日', null],
    ['date6', '明天', /date/],
    ['amount7', '¥12.50', null],
    ['amount7', '12.50元', null],
    ['amount7', '一百元', /amount/],
    ['car_number8', '粤B12345', null],
    ['car_number8', '粤B1234学', null],
    ['car_number8', '粤B1234567', /car_number/],
    ['name9', '张三', null],
    ['name9', 'Ada Lovelace', null],
    ['name9', '欧阳张三李四王五赵六', null],
    ['name9', '欧阳张三李四王五赵六钱', /name/],
    ['symbol10', '→', null],
    ['symbol10', '→\n', /symbol/],
  ])('%s = %j', (keyword, value, problem) => {
    const found = keywordValueProblem(keyword, value);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });
});

describe('message push signature', () => {
  it('matches the official example (Token AAAAA) and rejects anything else', async () => {
    // MESSAGE_PUSH_DOC, 明文模式 example.
    expect(await messagePushSignature('AAAAA', '1714037059', '486452656')).toBe('899cf89e464efb63f54ddac96b0a0a235f53aa78');
    expect(await verifyPushSignature('AAAAA', { signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78', timestamp: '1714037059', nonce: '486452656' })).toBe(true);
    for (const query of [
      { signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78', timestamp: '1714037060', nonce: '486452656' },
      { signature: '899CF89E464EFB63F54DDAC96B0A0A235F53AA78', timestamp: '1714037059', nonce: '486452656' },
      { signature: ['x'], timestamp: 1, nonce: null },
      {},
    ]) {
      expect(await verifyPushSignature('AAAAA', query)).toBe(false);
    }
  });

  it('the receiver estimates per user from pushes and ignores unsigned ones', async () => {
    const receiver = createSubscribeEventReceiver({ token: 'AAAAA' });
    const query = { signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78', timestamp: '1714037059', nonce: '486452656' };
    const popup = { ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: '1', MsgType: 'event', Event: 'subscribe_msg_popup_event', List: { TemplateId: 'T', SubscribeStatusString: 'accept', PopupScene: '0' } };
    expect(await receiver.receive(query, popup)).toEqual({ status: 200, body: 'success' });
    expect(await receiver.receive({ ...query, nonce: '1' }, popup)).toMatchObject({ status: 401 });
    expect(await receiver.receive(query, 'not json')).toMatchObject({ status: 400 });
    expect(receiver.estimateFor('o1')).toEqual({ T: { left: 1, refused: false } });
  });
});

describe('the developer server’s send', () => {
  it('validates the body and a configured template before spending a call, and maps errcodes with the number kept', async () => {
    const calls: unknown[] = [];
    let answer: { errcode: number; errmsg: string; msgid?: number } = { errcode: 43101, errmsg: 'user refuse to accept the msg' };
    const sender = createSubscribeSender({
      api: { sendSubscribeMessage: async (_token, body) => (calls.push(body), answer as never) },
      accessTokens: { get: async () => 'token', invalidate: () => {} },
      templates: { T: ['thing1'] },
      miniprogramState: 'developer',
    });
    expect((await sender.send('o1', { templateId: 'T' })).status).toBe(400);
    expect(await sender.send('o1', { templateId: 'T', data: { thing1: { value: 'x'.repeat(21) } } })).toMatchObject({ status: 400, body: { error: { code: 'SUBSCRIBE_47003' } } });
    expect(calls).toEqual([]);
    expect(await sender.send('o1', { templateId: 'T', data: { thing1: { value: '好了' } } })).toMatchObject({ status: 409, body: { error: { code: 'SUBSCRIBE_43101' } } });
    expect(calls).toEqual([{ touser: 'o1', template_id: 'T', data: { thing1: { value: '好了' } }, miniprogram_state: 'developer', lang: 'zh_CN' }]);
    answer = { errcode: 0, errmsg: 'ok', msgid: 7 };
    expect(await sender.send('o1', { templateId: 'T', data: { thing1: { value: '好了' } } })).toEqual({ status: 200, body: { msgid: 7 } });
  });
});
