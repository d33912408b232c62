/**
 * 订阅消息 chapter: pages/subscribe-message against the emulator and the
 * companion server. The fake WeChat's wx.requestSubscribeMessage plays the
 * user's popup answer on the emulator (/__dev/subscribe-request), and keeps
 * WeChat's tap rule: the call counts as a tap only while the tap handler
 * runs synchronously, so anything awaited before it fails as on a phone.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mp, openPage, tap, text, unloadPages, type SimPage } from './harness.ts';
import { requestLog, useCompanion, type Stack } from './stack.ts';
import { SECRET } from '../helpers.ts';
import type { FakeWeChat } from './wechat.ts';

const PAGE = 'pages/subscribe-message/subscribe-message';
interface Template {
  id: string;
  title: string;
  keywords: readonly string[];
}
// Read through the mini program's own require cache, typed here so the site's tsc never compiles mini program files.
const { TABLE_READY, MISSED_TURN, QUEUE_TEMPLATE_IDS } = mp<{ TABLE_READY: Template; MISSED_TURN: Template; QUEUE_TEMPLATE_IDS: string[] }>(
  'pages/subscribe-message/templates',
);

let stack: Stack;
let wechat: FakeWeChat;
/** What the user does in the next popup: the ids whose switch stays on, and 「总是保持」. */
let answer: { accept: string[]; keep: boolean };
let tapping = false;
const failures: string[] = [];

async function dev(path: string, body: unknown): Promise<any> {
  const response = await fetch(`${stack.emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status === 204 ? undefined : response.json();
}

type Callbacks = { success?: (res: any) => void; fail?: (err: any) => void };

/** wx.requestSubscribeMessage and getSetting({ withSubscriptions }) on top of the shared fake WeChat. */
function subscribeApis() {
  return {
    requestSubscribeMessage(options: { tmplIds: string[] } & Callbacks) {
      const fromTap = tapping;
      void dev('/__dev/subscribe-request', { userId: stack.userId, tmplIds: options.tmplIds, fromTap, ...answer }).then((reply) => {
        if (reply.ok) options.success?.(reply.result);
        else {
          failures.push(reply.errMsg);
          options.fail?.({ errMsg: reply.errMsg, ...(reply.errCode ? { errCode: reply.errCode } : {}) });
        }
      });
    },
    getSetting(options: { withSubscriptions?: boolean } & Callbacks) {
      void fetch(`${stack.emulator.url}/__dev/subscribe-ledger?userId=${stack.userId}`)
        .then((response) => response.json())
        .then((ledger) =>
          options.success?.({ authSetting: {}, errMsg: 'getSetting:ok', ...(options.withSubscriptions ? { subscriptionsSetting: ledger.subscriptionsSetting } : {}) }),
        );
    },
  };
}

useCompanion(
  (s, w) => {
    stack = s;
    wechat = w;
    Object.assign(wechat.wx, subscribeApis());
    answer = { accept: [...QUEUE_TEMPLATE_IDS], keep: false };
    failures.length = 0;
  },
  {
    afterStart: (s) => {
      for (const template of [TABLE_READY, MISSED_TURN]) {
        s.emulator.world.addSubscribeTemplate(s.appid, { id: template.id, title: template.title, keywords: [...template.keywords] });
      }
    },
  },
);

afterEach(() => {
  unloadPages();
  vi.restoreAllMocks();
});

/**
 * A tap as WeChat sees it: the gesture lasts while the handler runs
 * synchronously. miniprogram-simulate dispatches the event in a microtask, so
 * the gesture ends in the microtask queued right after it.
 */
function userTap(page: SimPage, selector: string): Promise<void> {
  tapping = true;
  tap(page, selector);
  return Promise.resolve().then(() => {
    tapping = false;
  });
}

const left = () => stack.emulator.world.subscriptionsLeft(stack.appid, stack.userId, TABLE_READY.id);
const settle = () => vi.waitFor(() => expect(text(pageRef!, '#notice')).not.toBe(''), { timeout: 3000 });
let pageRef: SimPage | undefined;

describe('subscribe-message page', () => {
  it('subscribes from the tap, reads each template, then 模拟叫号 sends once: the second is SUBSCRIBE_43101', async () => {
    const page = (pageRef = openPage(PAGE));
    await userTap(page, '#take-number');
    await userTap(page, '#subscribe');
    await settle();
    expect(text(page, '#notice')).toContain('叫号时会通知你');
    expect((page.data.statuses as { status: string }[]).map((s) => s.status)).toEqual(['accept', 'accept']);
    expect(left()).toBe(1);

    await userTap(page, '#call-number');
    await vi.waitFor(() => expect(text(page, '#sent')).toMatch(/^已发送，msgid \d+/), { timeout: 3000 });
    expect(left()).toBe(0);
    const message = stack.emulator.world.sentSubscribeMessages(stack.appid).at(-1)!;
    expect(message.data.character_string2!.value).toBe(page.data.ticket);

    await userTap(page, '#call-number');
    await vi.waitFor(() => expect(text(page, '#notice')).toContain('SUBSCRIBE_43101'), { timeout: 3000 });
    expect(requestLog(wechat).filter((line) => line.includes('/api/subscribe/send'))).toEqual(['POST /api/subscribe/send 200', 'POST /api/subscribe/send 409']);
  });

  it('reads a rejection per template, and getSetting lists only what 「总是保持」 kept', async () => {
    answer = { accept: [MISSED_TURN.id], keep: true };
    const page = (pageRef = openPage(PAGE));
    await userTap(page, '#subscribe');
    await settle();
    expect(text(page, '#notice')).toContain('你没有允许叫号提醒');
    expect(page.data.subscribed).toBe(false);
    await vi.waitFor(() => expect(page.data.kept).toEqual([{ id: TABLE_READY.id, status: 'reject' }, { id: MISSED_TURN.id, status: 'accept' }]));

    // Kept: no popup any more, and the kept accept still counts once per call.
    const before = stack.emulator.world.subscriptionsLeft(stack.appid, stack.userId, MISSED_TURN.id);
    await userTap(page, '#subscribe');
    await vi.waitFor(() => expect(stack.emulator.world.subscriptionsLeft(stack.appid, stack.userId, MISSED_TURN.id)).toBe(before + 1));
  });

  it('fails with errCode 20004 while the main switch is off', async () => {
    await dev('/__dev/subscribe-main-switch', { userId: stack.userId, on: false });
    const page = (pageRef = openPage(PAGE));
    await userTap(page, '#subscribe');
    await settle();
    expect(text(page, '#notice')).toContain('errCode 20004');
    await dev('/__dev/subscribe-main-switch', { userId: stack.userId, on: true });
  });

  it('the mistakes: an await before the call breaks the tap rule; checking only errMsg sends after a rejection and gets 43101', async () => {
    const mistakes = mp<{
      subscribeAfterFetch(onResult: (res: Record<string, string>) => void, onFail: (errMsg: string) => void): Promise<void>;
      subscribeThenAlwaysSend(tmplIds: string[], send: () => void): void;
    }>('pages/subscribe-message/mistakes');
    const outcome = new Promise<string>((resolve) => {
      tapping = true;
      void mistakes.subscribeAfterFetch(() => resolve('ok'), resolve);
      tapping = false;
    });
    expect(await outcome).toBe('requestSubscribeMessage:fail can only be invoked by user TAP gesture.');

    answer = { accept: [], keep: false };
    const { access_token: accessToken } = await dev('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: stack.appid, secret: SECRET });
    const sent = new Promise<number>((resolve) => {
      tapping = true;
      mistakes.subscribeThenAlwaysSend([TABLE_READY.id], () => {
        const body = { touser: stack.openid, template_id: TABLE_READY.id, data: { thing1: { value: '小馆子' }, character_string2: { value: 'A042' }, phrase3: { value: '请入座' }, thing4: { value: '请到店' } } };
        void dev(`/cgi-bin/message/subscribe/send?access_token=${accessToken}`, body).then((reply) => resolve(reply.errcode));
      });
      tapping = false;
    });
    expect(await sent).toBe(43101);
  });
});
