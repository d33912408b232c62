/**
 * 转发 as a statechart of one share card's journey. A (the sharer) opens the
 * ··· menu or taps a share button, the page's onShareAppMessage supplies the
 * content (at once, or through `promise`, which WeChat waits for at most
 * three seconds), A picks a chat in the share sheet, and WeChat posts the
 * card. Then B or C opens it: the mini program starts with the card's scene
 * (and a shareTicket for a group card shared with withShareTicket), logs in,
 * and the 群排行榜 page asks WeChat for the group info and the developer
 * server for its opengid.
 *
 * Between the share sheet and someone opening the card the mini program
 * hears nothing since 2018-10 (基础库 2.3.0): `wechat.cardPosted` goes to the
 * conversation only. `wechat.shareCallback` exists for the earlier base
 * library, which the reader can switch to.
 *
 * Which page code the sharer runs (no handler, an object, a promise) is a
 * choice of the developer's code and lives in the context, because WeChat's
 * menu depends on it. Every side effect is a named entry action with an
 * empty default; the world decides the outcomes.
 */
import { assign, setup } from 'xstate';
import { SCENE_TIMELINE_SINGLE_PAGE, type Conversation } from '../../world/wechat/share.ts';

export type ShareHandler = 'none' | 'object' | 'promise';
export type Person = 'b' | 'c';

/** Where the card's title and path came from. */
export type ContentSource = 'object' | 'promise' | 'fallback' | 'ignoredPromise';

export interface ShareContext {
  handler: ShareHandler;
  /** `wx.showShareMenu({ withShareTicket })` in the page's onLoad. */
  withShareTicket: boolean;
  /** How long the page's promise takes to resolve. */
  promiseDelayMs: number;
  /** The ··· menu as WeChat last drew it. */
  menu: { forward: boolean; timeline: boolean } | null;
  from: 'menu' | 'button' | null;
  /** The list item whose share button was tapped (its `data-id`). */
  itemId: string | null;
  source: ContentSource | null;
  /** The chat of the card last posted, and whether it was shared with withShareTicket. */
  sent: Conversation | null;
  cardTicket: boolean;
  /** Only before 2018-10: what the success callback handed back. */
  callbackTickets: number | null;
  /** Who opened the card last, and how far that launch got. */
  opener: Person | null;
  scene: number | null;
  loggedIn: boolean;
  /** B's mini program called wx.login again and kept the code: WeChat's key moved on, the server's did not. */
  keyStale: boolean;
  opengid: string | null;
  groupError: string | null;
}

export type ShareEvent =
  | { type: 'code.handlerSet'; handler: ShareHandler }
  | { type: 'code.shareTicketSet'; on: boolean }
  | { type: 'code.promiseDelaySet'; ms: number }
  | { type: 'user.openedMenu' }
  | { type: 'user.closedMenu' }
  | { type: 'user.choseSendToFriend' }
  | { type: 'user.choseTimeline' }
  | { type: 'user.tappedShareButton'; id: string }
  | { type: 'user.sentTo'; chat: 'single' | 'group' }
  | { type: 'user.cancelledSheet' }
  | { type: 'user.openedCard'; who: Person }
  | { type: 'user.openedGroupPage' }
  | { type: 'user.tappedGoToMiniProgram' }
  | { type: 'code.calledLoginAgain' }
  | { type: 'wechat.keyRotated' }
  | { type: 'wechat.menuShown'; forward: boolean; timeline: boolean }
  | { type: 'mp.contentReturned'; source: 'object' | 'ignoredPromise' }
  | { type: 'mp.promiseReturned' }
  | { type: 'mp.promiseResolved' }
  | { type: 'wechat.promiseTimedOut' }
  | { type: 'wechat.cardPosted' }
  | { type: 'wechat.shareCallback'; shareTickets: number }
  | { type: 'wechat.timelinePosted' }
  | { type: 'wechat.launched'; scene: number }
  | { type: 'server.loggedIn' }
  | { type: 'wechat.groupInfoIssued'; api: 'getGroupEnterInfo' | 'getShareInfo' }
  | { type: 'wechat.groupInfoRefused'; errCode: number }
  | { type: 'server.groupDecrypted'; opengid: string }
  | { type: 'server.groupDecryptFailed'; code: string };

export type ShareEffect =
  | 'showMenu'
  | 'callShareHandler'
  | 'sendCard'
  | 'callTimelineHandler'
  | 'openCard'
  | 'leaveSinglePage'
  | 'login'
  | 'loginSilently'
  | 'fetchGroupInfo'
  | 'decryptGroup';

const noEffect = () => {};

const initialContext: ShareContext = {
  handler: 'object',
  withShareTicket: true,
  promiseDelayMs: 1000,
  menu: null,
  from: null,
  itemId: null,
  source: null,
  sent: null,
  cardTicket: false,
  callbackTickets: null,
  opener: null,
  scene: null,
  loggedIn: false,
  keyStale: false,
  opengid: null,
  groupError: null,
};

export const shareMachine = setup({
  types: {
    context: {} as ShareContext,
    events: {} as ShareEvent,
  },
  actions: {
    showMenu: noEffect,
    callShareHandler: noEffect,
    sendCard: noEffect,
    callTimelineHandler: noEffect,
    openCard: noEffect,
    leaveSinglePage: noEffect,
    login: noEffect,
    loginSilently: noEffect,
    fetchGroupInfo: noEffect,
    decryptGroup: noEffect,
    setHandler: assign(({ event }) => (event.type === 'code.handlerSet' ? { handler: event.handler } : {})),
    setShareTicket: assign(({ event }) => (event.type === 'code.shareTicketSet' ? { withShareTicket: event.on } : {})),
    setPromiseDelay: assign(({ event }) => (event.type === 'code.promiseDelaySet' ? { promiseDelayMs: event.ms } : {})),
    recordMenu: assign(({ event }) => (event.type === 'wechat.menuShown' ? { menu: { forward: event.forward, timeline: event.timeline } } : {})),
    fromMenu: assign({ from: 'menu' as const, itemId: null, source: null, callbackTickets: null }),
    fromButton: assign(({ event }) => ({
      from: 'button' as const,
      itemId: event.type === 'user.tappedShareButton' ? event.id : null,
      source: null,
      callbackTickets: null,
    })),
    recordContent: assign(({ event }) => (event.type === 'mp.contentReturned' ? { source: event.source } : {})),
    recordResolved: assign({ source: 'promise' as const }),
    recordFallback: assign({ source: 'fallback' as const }),
    recordPosted: assign(({ event }) => ({
      callbackTickets: event.type === 'wechat.shareCallback' ? event.shareTickets : null,
    })),
    chooseChat: assign(({ context, event }) => (event.type === 'user.sentTo' ? { sent: event.chat, cardTicket: context.withShareTicket } : {})),
    recordTimeline: assign({ sent: 'timeline' as const, cardTicket: false }),
    startOpening: assign(({ event }) =>
      event.type === 'user.openedCard' ? { opener: event.who, scene: null, loggedIn: false, opengid: null, groupError: null } : {},
    ),
    recordLaunch: assign(({ event }) => (event.type === 'wechat.launched' ? { scene: event.scene } : {})),
    recordLogin: assign({ loggedIn: true, keyStale: false }),
    recordRotation: assign({ keyStale: true }),
    startGroupInfo: assign({ opengid: null, groupError: null }),
    recordRefusal: assign(({ event }) => (event.type === 'wechat.groupInfoRefused' ? { groupError: String(event.errCode) } : {})),
    recordGroup: assign(({ event }) => (event.type === 'server.groupDecrypted' ? { opengid: event.opengid } : {})),
    recordDecryptFailure: assign(({ event }) => (event.type === 'server.groupDecryptFailed' ? { groupError: event.code } : {})),
  },
  guards: {
    // Guards also run for bare `{ type }` probes (the simulator asks `can()`), so a payload may be missing.
    handlerChanges: ({ context, event }) => event.type === 'code.handlerSet' && event.handler !== undefined && event.handler !== context.handler,
    shareTicketChanges: ({ context, event }) => event.type === 'code.shareTicketSet' && event.on !== undefined && event.on !== context.withShareTicket,
    promiseDelayChanges: ({ context, event }) =>
      event.type === 'code.promiseDelaySet' && typeof event.ms === 'number' && event.ms !== context.promiseDelayMs,
    hasHandler: ({ context }) => context.handler !== 'none',
    forwardEnabled: ({ context }) => context.menu?.forward === true,
    timelineEnabled: ({ context }) => context.menu?.timeline === true,
    /** B is A's friend and in the group, and sees A's Moments; C is only in the group. */
    canOpen: ({ context, event }) =>
      event.type === 'user.openedCard' && context.sent !== null && (event.who === 'b' || (event.who === 'c' && context.sent === 'group')),
    openerReady: ({ context }) => context.opener !== null && context.loggedIn,
    bLoggedIn: ({ context }) => context.opener === 'b' && context.loggedIn,
    isSinglePage: ({ event }) => event.type === 'wechat.launched' && event.scene === SCENE_TIMELINE_SINGLE_PAGE,
  },
}).createMachine({
  id: 'share',
  initial: 'page',
  context: initialContext,
  states: {
    page: {
      on: {
        'code.handlerSet': { guard: 'handlerChanges', actions: 'setHandler' },
        'code.shareTicketSet': { guard: 'shareTicketChanges', actions: 'setShareTicket' },
        'code.promiseDelaySet': { guard: 'promiseDelayChanges', actions: 'setPromiseDelay' },
        'user.openedMenu': 'openingMenu',
        'user.tappedShareButton': { guard: 'hasHandler', target: 'composing', actions: 'fromButton' },
        'user.openedCard': { guard: 'canOpen', target: 'launching', actions: 'startOpening' },
        'user.openedGroupPage': { guard: 'openerReady', target: 'gettingGroupInfo', actions: 'startGroupInfo' },
        'code.calledLoginAgain': { guard: 'bLoggedIn', target: 'loggingInSilently' },
      },
    },
    loggingInSilently: {
      entry: 'loginSilently',
      on: { 'wechat.keyRotated': { target: 'page', actions: 'recordRotation' } },
    },
    openingMenu: {
      entry: 'showMenu',
      on: { 'wechat.menuShown': { target: 'menu', actions: 'recordMenu' } },
    },
    menu: {
      on: {
        'user.choseSendToFriend': { guard: 'forwardEnabled', target: 'composing', actions: 'fromMenu' },
        'user.choseTimeline': { guard: 'timelineEnabled', target: 'composingTimeline' },
        'user.closedMenu': 'page',
      },
    },
    composing: {
      entry: 'callShareHandler',
      on: {
        'mp.contentReturned': { target: 'sheet', actions: 'recordContent' },
        'mp.promiseReturned': 'awaitingPromise',
      },
    },
    awaitingPromise: {
      on: {
        'mp.promiseResolved': { target: 'sheet', actions: 'recordResolved' },
        'wechat.promiseTimedOut': { target: 'sheet', actions: 'recordFallback' },
      },
    },
    sheet: {
      on: {
        'user.sentTo': { target: 'sending', actions: 'chooseChat' },
        'user.cancelledSheet': 'page',
      },
    },
    sending: {
      entry: 'sendCard',
      on: {
        'wechat.cardPosted': { target: 'page', actions: 'recordPosted' },
        'wechat.shareCallback': { target: 'page', actions: 'recordPosted' },
      },
    },
    composingTimeline: {
      entry: 'callTimelineHandler',
      on: { 'wechat.timelinePosted': { target: 'page', actions: 'recordTimeline' } },
    },
    launching: {
      entry: 'openCard',
      on: {
        'wechat.launched': [
          { guard: 'isSinglePage', target: 'singlePage', actions: 'recordLaunch' },
          { target: 'loggingIn', actions: 'recordLaunch' },
        ],
      },
    },
    singlePage: {
      on: {
        'user.tappedGoToMiniProgram': 'leavingSinglePage',
        'user.openedMenu': 'openingMenu',
        'user.openedCard': { guard: 'canOpen', target: 'launching', actions: 'startOpening' },
      },
    },
    leavingSinglePage: {
      entry: 'leaveSinglePage',
      on: { 'wechat.launched': { target: 'loggingIn', actions: 'recordLaunch' } },
    },
    loggingIn: {
      entry: 'login',
      on: { 'server.loggedIn': { target: 'page', actions: 'recordLogin' } },
    },
    gettingGroupInfo: {
      entry: 'fetchGroupInfo',
      on: {
        'wechat.groupInfoIssued': 'decrypting',
        'wechat.groupInfoRefused': { target: 'page', actions: 'recordRefusal' },
      },
    },
    decrypting: {
      entry: 'decryptGroup',
      on: {
        'server.groupDecrypted': { target: 'page', actions: 'recordGroup' },
        'server.groupDecryptFailed': { target: 'page', actions: 'recordDecryptFailure' },
      },
    },
  },
});

export type ShareMachine = typeof shareMachine;
