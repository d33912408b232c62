/**
 * The 转发 chapter's world: one mini program, three WeChat users (A shares;
 * B is A's friend and in the group; C is only in the group), the group
 * chat, WeChat's server with its group registry, and the developer server
 * that logs users in and decrypts group info with their own session_key.
 * The parts are the shared world's (WeChatServer, ShareGroups, the
 * developer-server core and its share-groups service); this file only wires
 * them and keeps a ledger the view and the tests read.
 */
import { VirtualClock } from '../../world/support/clock.ts';
import { seededRandom, seedFrom } from '../../world/support/random.ts';
import { silentWire, type Recorder } from '../../world/support/wire.ts';
import { WeChatServer } from '../../world/wechat/wechat-server.ts';
import { ShareGroups, type Conversation, type ShareSdk } from '../../world/wechat/share.ts';
import { createDeveloperServer, createMemorySessionStore, type WeChatApi } from '../../world/developer/developer-server.ts';
import { createMemoryGroupStore, createShareGroupService } from '../../world/developer/share-groups.ts';
import { DEMO_APP, simulatedDeveloperServer } from '../../world/simulated-world.ts';
import type { Person } from './machine.ts';

export const USERS = {
  a: { id: 'user-a', nickname: '阿岚' },
  b: { id: 'user-b', nickname: '小白' },
  c: { id: 'user-c', nickname: '陈辰' },
} as const;

export const GROUP = { id: 'group-reading', name: '周末读书群', members: [USERS.a.id, USERS.b.id, USERS.c.id] } as const;

/** The list page's items; each share button carries `data-id`. */
export const ITEMS = [
  { id: 'b-101', title: '《小王子》读书笔记' },
  { id: 'b-102', title: '《三体》人物关系图' },
] as const;

/** What the page's onShareAppMessage returns at once: the defaults WeChat falls back to. */
export const DEFAULT_TITLE = '一起来读书';
export const DEFAULT_PATH = '/pages/share/share';
/** What the promise resolves to: the title fetched for the item. */
export const PROMISE_TITLE_SUFFIX = '（已有 12 人在读）';

export const PROMISE_DELAYS_MS = [1000, 5000] as const;

/** The world's side of the reader's choices; the page's own choices (handler, withShareTicket, delay) are the machine's context. */
export interface ShareSettings {
  sdk: ShareSdk;
  timelineHandler: boolean;
  unlockButton: boolean;
}

/** What a card (or a Moments post) carries, as WeChat posted it. */
export interface PostedCard {
  conversation: Conversation;
  title: string;
  path: string;
  withShareTicket: boolean;
  at: number;
}

/** One person's mini program as the last launch left it. */
export interface Launch {
  person: Person;
  conversation: Conversation;
  scene: number;
  shareTicket: string | null;
  chatType: number | null;
  singlePage: boolean;
  sdk: ShareSdk;
}

export interface GroupInfoRecord {
  person: Person;
  api: 'getGroupEnterInfo' | 'getShareInfo';
  encryptedData: string;
  iv: string;
}

export interface DecryptRecord {
  person: Person;
  status: number;
  opengid?: string;
  code?: string;
  /** The launch the decrypted data came from. */
  launch: Launch;
}

export interface ShareWorld {
  clock: VirtualClock;
  wire: Recorder;
  wechat: WeChatServer;
  groups: ShareGroups;
  server: ReturnType<typeof createDeveloperServer>;
  share: ReturnType<typeof createShareGroupService>;
  sessions: ReturnType<typeof createMemorySessionStore>;
  settings: ShareSettings;
  /** The developer server's login token per person, as the mini program stored it. */
  tokens: Partial<Record<Person, string>>;
  /** Every menu WeChat drew, in order. */
  menus: { forward: boolean; timeline: boolean }[];
  /** Every promise WeChat waited for: when it started, when it settled, whether the promise won. */
  promises: { startedAt: number; settledAt: number | null; usesPromise: boolean; delayMs: number }[];
  posted: PostedCard[];
  /** Success callbacks delivered to the sharer's mini program (only with a base library before 2.3.0). */
  callbacks: { sdk: ShareSdk; shareTickets: number }[];
  launches: Partial<Record<Person, Launch>>;
  launchLog: Launch[];
  groupInfos: GroupInfoRecord[];
  decrypts: DecryptRecord[];
  /** Every content WeChat settled on for a card or a Moments post, and where it came from. */
  contents: { title: string; path: string; source: string }[];
}

export function createShareWorld(): ShareWorld {
  const clock = new VirtualClock();
  const random = seededRandom(seedFrom('share'));
  const wechat = new WeChatServer({ clock, random });
  wechat.registerApp({ ...DEMO_APP, openPlatformId: 'open-lab' });
  for (const user of Object.values(USERS)) wechat.registerUser({ id: user.id, nickname: user.nickname, phoneNumber: '13800000000', countryCode: '86' });
  const groups = new ShareGroups({ clock, random, sessionKey: (appid, userId) => wechat.currentSessionKey(appid, userId) });
  groups.addGroup(GROUP);

  const world = { clock, wechat, groups, wire: silentWire } as ShareWorld;
  const wechatApi: WeChatApi = {
    async code2Session(jsCode) {
      const query = { appid: DEMO_APP.appid, secret: DEMO_APP.secret, js_code: jsCode, grant_type: 'authorization_code' };
      world.wire.record({ from: 'developer', to: 'wechat', label: 'GET /sns/jscode2session', payload: query, secrets: ['secret'] });
      const response = wechat.jscode2session(query);
      world.wire.record({ from: 'wechat', to: 'developer', label: 'openid + session_key', payload: response, secrets: ['session_key'] });
      return response;
    },
  };
  world.sessions = createMemorySessionStore();
  world.server = simulatedDeveloperServer(clock, { wechat: wechatApi, sessions: world.sessions });
  world.share = createShareGroupService({ developer: world.server, sessions: world.sessions, groups: createMemoryGroupStore(), appid: DEMO_APP.appid });
  world.settings = { sdk: '2.17.3', timelineHandler: true, unlockButton: false };
  world.tokens = {};
  world.menus = [];
  world.promises = [];
  world.posted = [];
  world.callbacks = [];
  world.launches = {};
  world.launchLog = [];
  world.groupInfos = [];
  world.decrypts = [];
  world.contents = [];
  return world;
}

export const lastCard = (world: ShareWorld): PostedCard | undefined => world.posted.at(-1);
