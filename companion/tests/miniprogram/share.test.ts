/**
 * 转发 chapter: pages/share (the list, its share handler and the entry log)
 * and pages/share/group (群排行榜), against the real companion server and the
 * WeChat emulator. The fake WeChat below adds to the shared one what only a
 * card can give: the enter options of a launch from a chat, and the group
 * APIs, answered by the emulator's group registry with data encrypted under
 * the opener's own session_key.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { has, mp, openPage, startMiniProgram, text } from './harness.ts';
import { requestLog, useCompanion, type Stack } from './stack.ts';
import { createWeChat, type FakeWeChat } from './wechat.ts';

let stack: Stack;
let wechat: FakeWeChat;
useCompanion((s, w) => ((stack = s), (wechat = w)));

const GROUP = 'reading-group';
const FRIEND = 'friend';
const PAGE = 'pages/share/share';
const GROUP_PAGE = 'pages/share/group/group';

type Card = { conversation: 'single' | 'group' | 'timeline'; withShareTicket?: boolean };

/**
 * The user taps a card: the emulator decides scene, shareTicket and chatType
 * for this launch, and the fake wx reports them as WeChat would.
 */
function enterFromCard(target: FakeWeChat, userId: string, card: Card, options: { sdkVersion?: string } = {}) {
  const entry = stack.emulator.groups.openCard(stack.appid, userId, {
    conversation: card.conversation,
    ...(card.conversation === 'group' ? { groupId: GROUP } : {}),
    withShareTicket: card.withShareTicket ?? false,
  });
  const launch = {
    scene: entry.scene,
    path: 'pages/share/share',
    query: {},
    referrerInfo: {},
    ...(entry.shareTicket ? { shareTicket: entry.shareTicket } : {}),
    ...(entry.chatType ? { chatType: entry.chatType } : {}),
  };
  const groupCall = (api: 'getGroupEnterInfo' | 'getShareInfo', result: Promise<{ ok: boolean } & Record<string, unknown>>, options: WxCallbacks) => {
    target.calls.push(api);
    void result.then((r) => (r.ok ? options.success?.({ encryptedData: r.encryptedData, iv: r.iv, errMsg: `${api}:ok` }) : options.fail?.(r)));
  };
  // WeChat has had getGroupEnterInfo since 2.10.4, so canIUse says yes on every base library tested here.
  const sdkVersion = options.sdkVersion ?? '3.0.0';
  Object.assign(target.wx, {
    getAppBaseInfo: () => ({ SDKVersion: sdkVersion }),
    getLaunchOptionsSync: () => structuredClone(launch),
    getEnterOptionsSync: () => structuredClone(launch),
    showShareMenu: (menu: unknown) => void target.calls.push(`showShareMenu ${JSON.stringify(menu)}`),
    navigateTo: ({ url }: { url: string }) => void target.calls.push(`navigateTo ${url}`),
    getGroupEnterInfo: (o: WxCallbacks) => groupCall('getGroupEnterInfo', stack.emulator.groups.groupEnterInfo(stack.appid, userId), o),
    getShareInfo: (o: WxCallbacks & { shareTicket: string }) =>
      groupCall('getShareInfo', stack.emulator.groups.shareInfo(stack.appid, userId, o.shareTicket), o),
  });
  return entry;
}

interface WxCallbacks {
  success?: (res: Record<string, unknown>) => void;
  fail?: (err: unknown) => void;
}

beforeEach(() => {
  vi.spyOn(console, 'info').mockImplementation(() => {});
  if (!stack.emulator.world.user(FRIEND)) {
    stack.emulator.world.registerUser({ id: FRIEND, nickname: '群友', phoneNumber: '13700000000', countryCode: '86' });
    stack.emulator.groups.addGroup({ id: GROUP, name: '读书群', members: [stack.userId, FRIEND] });
  }
});

describe('the list page', () => {
  it('shares the tapped item: from button, target.dataset.id in the path, defaults sync and the promise on top', async () => {
    enterFromCard(wechat, stack.userId, { conversation: 'single' });
    const page = openPage(PAGE);
    expect(wechat.calls).toContain('showShareMenu {"withShareTicket":true,"menus":["shareAppMessage","shareTimeline"]}');
    const share = page.instance.onShareAppMessage!({ from: 'button', target: { dataset: { id: 'b-102' } } }) as {
      title: string;
      path: string;
      promise: Promise<{ title: string; path: string }>;
    };
    // What WeChat uses if the promise misses the 3 s deadline.
    expect({ title: share.title, path: share.path }).toEqual({ title: '一起来读书', path: '/pages/share/share' });
    await expect(share.promise).resolves.toEqual({ title: '《三体》人物关系图（已有 12 人在读）', path: '/pages/share/share?id=b-102' });
  });

  it('without a promise returns the object itself, and the menu share uses the page path', () => {
    enterFromCard(wechat, stack.userId, { conversation: 'single' });
    const page = openPage(PAGE);
    page.instance.onChooseDelay!({ currentTarget: { dataset: { delay: -1 } } });
    expect(page.instance.onShareAppMessage!({ from: 'menu' })).toEqual({ title: '一起来读书', path: '/pages/share/share' });
    expect(page.instance.onShareAppMessage!({ from: 'button', target: { dataset: { id: 'b-101' } } })).toEqual({
      title: '《小王子》读书笔记',
      path: '/pages/share/share?id=b-101',
    });
    expect(page.instance.onShareTimeline!()).toEqual({ title: '一起来读书', query: 'from=timeline' });
  });

  it('logs a single-chat card: 1007, no shareTicket, chatType 1, and offers no leaderboard', () => {
    enterFromCard(wechat, stack.userId, { conversation: 'single' });
    const page = openPage(PAGE);
    expect(text(page, '#scene')).toBe('1007 单聊里的卡片');
    expect(text(page, '#share-ticket')).toBe('（没有）');
    expect(text(page, '#chat-type')).toBe('1 微信联系人单聊');
    expect(has(page, '#open-group')).toBe(false);
    expect(has(page, '#no-group')).toBe(true);
  });

  it('logs a group card: 1008 without withShareTicket, 1044 with a ticket and the leaderboard button', () => {
    enterFromCard(wechat, stack.userId, { conversation: 'group' });
    let page = openPage(PAGE);
    expect(text(page, '#scene')).toBe('1008 群聊里的卡片');
    expect(text(page, '#share-ticket')).toBe('（没有）');
    expect(text(page, '#chat-type')).toBe('3 普通微信群聊');

    const entry = enterFromCard(wechat, stack.userId, { conversation: 'group', withShareTicket: true });
    page = openPage(PAGE);
    expect(text(page, '#scene')).toBe('1044 带 shareTicket 的卡片');
    expect(text(page, '#share-ticket')).toBe(entry.shareTicket);
    expect(has(page, '#open-group')).toBe(true);
  });

  it('tells the reader about the Moments single-page mode (1154)', () => {
    enterFromCard(wechat, stack.userId, { conversation: 'timeline' });
    const page = openPage(PAGE);
    expect(text(page, '#scene')).toBe('1154 朋友圈内打开“单页模式”');
    expect(text(page, '#single-page')).toContain('前往小程序');
    expect(has(page, '#open-group')).toBe(false);
  });
});

describe('the 群排行榜 page', () => {
  const groupRequests = (target: FakeWeChat) => requestLog(target).filter((line) => !line.includes('/api/login'));

  it('logs in, gets the group info and shows the opengid; a second member sees the same id', async () => {
    enterFromCard(wechat, stack.userId, { conversation: 'group', withShareTicket: true });
    const page = openPage(GROUP_PAGE);
    await vi.waitFor(() => expect(text(page, '#opengid')).toMatch(/^tG\w+$/));
    const opengid = text(page, '#opengid');
    expect(wechat.calls).toContain('getGroupEnterInfo');
    expect(groupRequests(wechat)).toEqual(['POST /api/share/group 200']);
    const sent = wechat.requests.find((r) => r.path === '/api/share/group')!;
    expect(Object.keys(JSON.parse(sent.body)).sort()).toEqual(['encryptedData', 'iv']);

    // The friend, on another phone: a fresh launch of the mini program.
    const friend = createWeChat({ ...stack, userId: FRIEND });
    startMiniProgram(friend.wx, { serverUrl: stack.server.url, emulator: null });
    enterFromCard(friend, FRIEND, { conversation: 'group', withShareTicket: true });
    const friendPage = openPage(GROUP_PAGE);
    await vi.waitFor(() => expect(text(friendPage, '#opengid')).toBe(opengid));
    expect(text(friendPage, '#members')).toMatch(/^[2-9]\d* 人$/);
  });

  // 2.16.1 has getGroupEnterInfo (since 2.10.4) but it reads only 群工具 there; the card needs getShareInfo.
  it.each(['2.16.1', '2.17.2'])('uses wx.getShareInfo with the ticket on base library %s, before 2.17.3', async (sdkVersion) => {
    enterFromCard(wechat, stack.userId, { conversation: 'group', withShareTicket: true }, { sdkVersion });
    const page = openPage(GROUP_PAGE);
    await vi.waitFor(() => expect(text(page, '#opengid')).toMatch(/^tG\w+$/));
    expect(wechat.calls).toContain('getShareInfo');
    expect(wechat.calls).not.toContain('getGroupEnterInfo');
  });

  it('says to come from a group card when WeChat answers 40097, and asks the server nothing', async () => {
    enterFromCard(wechat, stack.userId, { conversation: 'single' });
    const page = openPage(GROUP_PAGE);
    await vi.waitFor(() => expect(text(page, '#notice')).toBe('请从群聊里的小程序卡片进入，才能看到本群排行榜'));
    expect(groupRequests(wechat)).toEqual([]);
  });

  it('recovers from a key rotated behind the server’s back: 409, log in again, fresh group info, 200', async () => {
    enterFromCard(wechat, stack.userId, { conversation: 'group', withShareTicket: true });
    // Logged in earlier; then some wx.login whose code never reached the server refreshed session_key.
    await mp<{ login(): Promise<string> }>('utils/auth').login();
    stack.emulator.world.setNextRotation(stack.appid, stack.userId, 'rotate');
    stack.emulator.world.issueLoginCode(stack.appid, stack.userId);

    const page = openPage(GROUP_PAGE);
    await vi.waitFor(() => expect(text(page, '#opengid')).toMatch(/^tG\w+$/));
    expect(groupRequests(wechat)).toEqual(['POST /api/share/group 409', 'POST /api/share/group 200']);
    expect(requestLog(wechat).filter((line) => line === 'POST /api/login 200')).toHaveLength(2);
  });
});
