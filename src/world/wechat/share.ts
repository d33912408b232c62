/**
 * 转发 (share) on WeChat's side: which scene and shareTicket a card carries
 * into the mini program of whoever opens it, how long WeChat waits for a
 * `promise` in onShareAppMessage's result, what each base library can do, and
 * the group identity (`opengid`) that WeChat hands out, encrypted with the
 * opener's session_key, only to someone who opened the card from the group.
 *
 * Rules and their official pages:
 * - shareTicket only for a card opened in a group chat, valid for the current
 *   mini program lifecycle, read in App.onLaunch / App.onShow: SHARE_DOC.
 * - `promise` (基础库 2.12.0), "如果三秒内不 resolve，分享会使用上面传入的默认参数": PAGE_SHARE_DOC.
 * - No success/fail/complete after sharing for versions released from
 *   2018-10-10 (基础库 2.3.0): SHARE_CALLBACK_NOTICE.
 * - wx.getGroupEnterInfo recommended over wx.getShareInfo from 2.17.3; it decrypts to
 *   lowercase `opengid`; 40097 场景错误: GROUP_ENTER_INFO_DOC.
 * - Scenes 1007 / 1008 / 1044 / 1154 / 1155: SCENE_LIST_DOC.
 * - 分享到朋友圈 (2.11.3) needs 发送给朋友 too and opens in 单页模式: SHARE_TIMELINE_DOC.
 */
import type { Clock } from '../support/clock.ts';
import { encryptWeChatData } from '../support/crypto.ts';
import { randomBase64Bytes, randomId, type RandomSource } from '../support/random.ts';
import { atLeast } from './base-library.ts';

export const SHARE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/share.html';
export const SHARE_TIMELINE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/share-timeline.html';
export const PAGE_SHARE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/reference/api/Page.html#onShareAppMessage-Object-object';
export const GROUP_ENTER_INFO_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/open-api/group/wx.getGroupEnterInfo.html';
export const SCENE_LIST_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/reference/scene-list.html';
/** 微信团队's 2018-09-13 notice 「分享监听」能力调整. */
export const SHARE_CALLBACK_NOTICE = 'https://developers.weixin.qq.com/community/develop/doc/0000447a5b431807af57249a551408';
export const SIGNATURE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/signature.html';

export const SCENE_SINGLE_CHAT = 1007;
export const SCENE_GROUP_CHAT = 1008;
export const SCENE_WITH_SHARE_TICKET = 1044;
export const SCENE_TIMELINE_SINGLE_PAGE = 1154;
/**
 * The launch after 前往小程序 in single-page mode: 1155, “单页模式”打开小程序 on the scene list (SCENE_LIST_DOC);
 * developers describe the jump from 1154 to it too
 * (https://developers.weixin.qq.com/community/personal/oCJUsw_ag4EE-OMN0ke0tyF9AO-M/answer).
 */
export const SCENE_LEAVE_SINGLE_PAGE = 1155;

/** Labels from the official scene list (SCENE_LIST_DOC). */
export const SCENE_NAMES: Readonly<Record<number, string>> = {
  [SCENE_SINGLE_CHAT]: '单人聊天会话中的小程序消息卡片',
  [SCENE_GROUP_CHAT]: '群聊会话中的小程序消息卡片',
  [SCENE_WITH_SHARE_TICKET]: '带 shareTicket 的小程序消息卡片',
  [SCENE_TIMELINE_SINGLE_PAGE]: '朋友圈内打开“单页模式”',
  [SCENE_LEAVE_SINGLE_PAGE]: '“单页模式”打开小程序',
};

/** LaunchOptions.chatType, labels from wx.getEnterOptionsSync (ENTER_OPTIONS_DOC): only the two kinds this chapter's chats are. */
export const ENTER_OPTIONS_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/base/app/life-cycle/wx.getEnterOptionsSync.html';
export const CHAT_TYPE_SINGLE = 1;
export const CHAT_TYPE_GROUP = 3;
export const CHAT_TYPE_NAMES: Readonly<Record<number, string>> = { [CHAT_TYPE_SINGLE]: '微信联系人单聊', [CHAT_TYPE_GROUP]: '普通微信群聊' };

/** "如果三秒内不 resolve，分享会使用上面传入的默认参数" (PAGE_SHARE_DOC). */
export const PROMISE_TIMEOUT_MS = 3000;
/** onShareAppMessage's `promise` field. */
export const PROMISE_SINCE = '2.12.0';
/** 基础库 from which sharing reports nothing back (SHARE_CALLBACK_NOTICE), for versions submitted from 2018-10-10; below it, every version keeps the callback. */
export const NO_CALLBACK_SINCE = '2.3.0';
export const NO_CALLBACK_DATE = '2018-10-10';
/** From here the getShareInfo page recommends wx.getGroupEnterInfo instead (GROUP_ENTER_INFO_DOC). */
export const GROUP_ENTER_INFO_SINCE = '2.17.3';
/** onShareTimeline and showShareMenu's `menus` (SHARE_TIMELINE_DOC). */
export const TIMELINE_SINCE = '2.11.3';
/** getGroupEnterInfo's 场景错误: the mini program was not entered from a group card. */
export const GROUP_SCENE_ERROR = 40097;

/** Three base libraries, one per era a reader meets in old posts: with callbacks, before 2.17.3, current. */
export const SHARE_SDK_PRESETS = ['2.2.5', '2.16.1', '2.17.3'] as const;
export type ShareSdk = (typeof SHARE_SDK_PRESETS)[number];


export interface ShareAbilities {
  /** success/fail/complete after the share sheet, with `shareTickets`: only before 2018-10. */
  callback: boolean;
  promise: boolean;
  timeline: boolean;
  /** How the mini program turns a group card into group identity. */
  groupApi: 'getShareInfo' | 'getGroupEnterInfo';
}

export function shareAbilities(sdkVersion: string): ShareAbilities {
  return {
    callback: !atLeast(sdkVersion, NO_CALLBACK_SINCE),
    promise: atLeast(sdkVersion, PROMISE_SINCE),
    timeline: atLeast(sdkVersion, TIMELINE_SINCE),
    groupApi: atLeast(sdkVersion, GROUP_ENTER_INFO_SINCE) ? 'getGroupEnterInfo' : 'getShareInfo',
  };
}

export type Conversation = 'single' | 'group' | 'timeline';

/** What a card passes to App.onLaunch / onShow of whoever opens it. */
export interface CardEntry {
  scene: number;
  /** WeChat attaches a ticket only to a group card shared with withShareTicket. */
  ticketed: boolean;
  chatType: number | null;
}

/**
 * "转发非私密消息时，只有转发到群聊中打开才可以获取到 shareTicket…单聊没有"
 * (SHARE_DOC); a ticketed card reports 1044 instead of 1008, the two being
 * mutually exclusive per WeChat staff. Private messages (isPrivateMessage)
 * need an activityId from the server and are not modelled.
 */
export function cardEntry(conversation: Conversation, withShareTicket: boolean): CardEntry {
  if (conversation === 'timeline') return { scene: SCENE_TIMELINE_SINGLE_PAGE, ticketed: false, chatType: null };
  if (conversation === 'single') return { scene: SCENE_SINGLE_CHAT, ticketed: false, chatType: CHAT_TYPE_SINGLE };
  return withShareTicket
    ? { scene: SCENE_WITH_SHARE_TICKET, ticketed: true, chatType: CHAT_TYPE_GROUP }
    : { scene: SCENE_GROUP_CHAT, ticketed: false, chatType: CHAT_TYPE_GROUP };
}

/**
 * When WeChat settles a share whose content comes from `promise`: at the
 * resolve if that is within three seconds, otherwise at three seconds with
 * the defaults. `null` is a promise that never resolves.
 */
export function promiseSettlement(resolveAfterMs: number | null): { afterMs: number; usesPromise: boolean } {
  if (resolveAfterMs !== null && resolveAfterMs < PROMISE_TIMEOUT_MS) return { afterMs: Math.max(0, resolveAfterMs), usesPromise: true };
  return { afterMs: PROMISE_TIMEOUT_MS, usesPromise: false };
}

export interface ChatGroup {
  id: string;
  name: string;
  members: readonly string[];
}

/** How the current launch of a user's mini program began, as far as groups are concerned. */
interface Launch {
  scene: number;
  groupId: string | null;
  ticket: string | null;
}

/** errCode is WeChat's where one is documented (40097); the errMsg wording is the simulator's own. */
export type GroupInfoResult =
  | { ok: true; encryptedData: string; iv: string }
  | { ok: false; errCode: number; errMsg: string };

/**
 * The group side of WeChat's server: chats and their members, each group's
 * opengid per mini program, and the launch each user's mini program is in.
 * Every id and iv is drawn from the world's RandomSource; views must use
 * `issuedOpengid`, which draws nothing.
 */
export class ShareGroups {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #sessionKey: (appid: string, userId: string) => string | undefined;
  readonly #groups = new Map<string, ChatGroup>();
  /** `${appid}:${groupId}` → opengid. */
  readonly #opengids = new Map<string, string>();
  /** `${appid}:${userId}` → the mini program's current launch. */
  readonly #launches = new Map<string, Launch>();

  constructor(options: { clock: Clock; random: RandomSource; sessionKey: (appid: string, userId: string) => string | undefined }) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#sessionKey = options.sessionKey;
  }

  addGroup(group: ChatGroup): void {
    this.#groups.set(group.id, { ...group, members: [...group.members] });
  }

  group(groupId: string): ChatGroup | undefined {
    return this.#groups.get(groupId);
  }

  /** One id per group and mini program, whoever asks: that is what makes a group leaderboard possible. */
  opengid(appid: string, groupId: string): string {
    const key = `${appid}:${groupId}`;
    let id = this.#opengids.get(key);
    if (!id) {
      id = `tG${randomId(this.#random, 26)}`;
      this.#opengids.set(key, id);
    }
    return id;
  }

  issuedOpengid(appid: string, groupId: string): string | undefined {
    return this.#opengids.get(`${appid}:${groupId}`);
  }

  /**
   * A user taps a card: the mini program starts with the card's scene, and a
   * group card shared with withShareTicket brings a fresh shareTicket for this launch.
   */
  openCard(appid: string, userId: string, card: { conversation: Conversation; groupId?: string; withShareTicket: boolean }): CardEntry & { shareTicket: string | null } {
    const entry = cardEntry(card.conversation, card.withShareTicket);
    if (card.conversation === 'group') {
      const group = card.groupId === undefined ? undefined : this.#groups.get(card.groupId);
      if (!group?.members.includes(userId)) throw new Error(`${userId} is not in group ${card.groupId ?? '(none)'}`);
    }
    const ticket = entry.ticketed ? randomId(this.#random, 32) : null;
    this.#launches.set(`${appid}:${userId}`, { scene: entry.scene, groupId: card.conversation === 'group' ? card.groupId! : null, ticket });
    return { ...entry, shareTicket: ticket };
  }

  /** Entered some other way (a search, the recent list…): no group in this launch. */
  enterElsewhere(appid: string, userId: string, scene: number): void {
    this.#launches.set(`${appid}:${userId}`, { scene, groupId: null, ticket: null });
  }

  /** "shareTicket 仅在当前小程序生命周期内有效". */
  endLifecycle(appid: string, userId: string): void {
    this.#launches.delete(`${appid}:${userId}`);
  }

  currentTicket(appid: string, userId: string): string | null {
    return this.#launches.get(`${appid}:${userId}`)?.ticket ?? null;
  }

  /**
   * wx.getGroupEnterInfo (2.17.3): no shareTicket parameter; WeChat looks at
   * how this launch began. Decrypts to `{ opengid }`, encrypted with the
   * session_key WeChat holds for this user now. The page says group cards
   * are supported but not whether a card sent without withShareTicket is;
   * the model assumes it is not, as with getShareInfo (our reading).
   */
  groupEnterInfo(appid: string, userId: string): Promise<GroupInfoResult> {
    const launch = this.#launches.get(`${appid}:${userId}`);
    if (!launch?.groupId || !launch.ticket) return Promise.resolve(sceneError('getGroupEnterInfo'));
    return this.#encryptFor(appid, userId, 'getGroupEnterInfo', { opengid: this.opengid(appid, launch.groupId) });
  }

  /** wx.getShareInfo({ shareTicket }) (before 2.17.3): the same group, spelt `openGId`. */
  shareInfo(appid: string, userId: string, shareTicket: string): Promise<GroupInfoResult> {
    const launch = this.#launches.get(`${appid}:${userId}`);
    if (!launch?.groupId || launch.ticket !== shareTicket) {
      return Promise.resolve({ ok: false, errCode: -1, errMsg: 'getShareInfo:fail invalid shareTicket' });
    }
    return this.#encryptFor(appid, userId, 'getShareInfo', { openGId: this.opengid(appid, launch.groupId) });
  }

  async #encryptFor(appid: string, userId: string, api: string, data: Record<string, unknown>): Promise<GroupInfoResult> {
    const sessionKey = this.#sessionKey(appid, userId);
    // Open data is encrypted with a session_key; a user who never logged in has none to encrypt with.
    if (!sessionKey) return { ok: false, errCode: -1, errMsg: `${api}:fail no session, call wx.login first` };
    const iv = randomBase64Bytes(this.#random, 16);
    const sealed = await encryptWeChatData({ appId: appid, sessionKey, data, iv, timestamp: Math.floor(this.#clock.now() / 1000) });
    return { ok: true, ...sealed };
  }
}

function sceneError(api: string): GroupInfoResult {
  return { ok: false, errCode: GROUP_SCENE_ERROR, errMsg: `${api}:fail scene error` };
}
