/**
 * 周期性更新 vs 数据预拉取 as a statechart of the mini program's life on one
 * phone: closed (phone in the pocket), a cold start (WeChat's server
 * pre-fetches while the client downloads the code package), App.onLaunch
 * reading the cache, the page, the background, and a hot start.
 *
 * The periodic fetches are not states: the WeChat client sends them on its
 * own clock, whatever the mini program is doing, so they arrive as events the
 * machine only counts. WeChat and the developer server decide (the world);
 * the machine hears what happened. Every side effect is a named entry action
 * with an empty default.
 */
import { assign, setup } from 'xstate';

/** Where the user opens the mini program from. */
export type Entrance = 'card' | 'recent' | 'moments';

/**
 * What `wx.getBackgroundFetchData({ fetchType: 'pre' })` gave App.onLaunch:
 * this start's data, the previous start's (request still out), Android's
 * fail, iOS's empty success, or nothing because the code only listens.
 */
export type PreRead = 'fresh' | 'stale' | 'failed' | 'empty' | 'notCalled';

/** What became of a pre-fetch answer: the listener handed it to the page, nobody heard it, or WeChat did not cache it. */
export type PreDelivery = 'listener' | 'unheard' | 'notCached';

export interface BackgroundFetchContext {
  entrance: Entrance | null;
  /** A pre-fetch answer is still on its way. */
  preInFlight: boolean;
  /** WeChat's server has sent this cold start's pre-fetch. */
  preSentThisStart: boolean;
  /** The developer server answers slowly this time: the code package wins the race. */
  preSlow: boolean;
  /** The client's pre slot holds data (from this start or an earlier one). */
  preSlotFilled: boolean;
  /** This cold start's answer has been cached. */
  preCachedThisStart: boolean;
  /** App.onLaunch registered wx.onBackgroundFetchData in this run. */
  listening: boolean;
  preRead: PreRead | null;
  /** The page shows fresh pre-fetched data handed over by the listener. */
  freshViaListener: boolean;
  /** The WeChat client's periodic schedule is running (the user used the mini program in the last 7 days). */
  periodicActive: boolean;
  periodicFetches: number;
  coldStarts: number;
  hotStarts: number;
}

export type BackgroundFetchEvent =
  | { type: 'user.opened'; entrance: Entrance }
  | { type: 'user.leftMiniProgram' }
  | { type: 'user.returned' }
  | { type: 'user.closedMiniProgram' }
  | { type: 'wechat.preFetchSent'; slow: boolean }
  | { type: 'client.packageLoaded' }
  | { type: 'mp.launchRead'; pre: PreRead; listening: boolean }
  | { type: 'mp.shown' }
  | { type: 'client.processEnded' }
  | { type: 'client.preFetchArrived'; delivery: PreDelivery }
  | { type: 'client.periodicFetched'; cached: boolean }
  | { type: 'client.periodicStopped' };

export type BackgroundFetchEffect = 'sendPreFetch' | 'downloadPackage' | 'runOnLaunch' | 'showAgain' | 'endProcess';

const noEffect = () => {};

const initialContext: BackgroundFetchContext = {
  entrance: null,
  preInFlight: false,
  preSentThisStart: false,
  preSlow: false,
  preSlotFilled: false,
  preCachedThisStart: false,
  listening: false,
  preRead: null,
  freshViaListener: false,
  periodicActive: true,
  periodicFetches: 0,
  coldStarts: 0,
  hotStarts: 0,
};

export const backgroundFetchMachine = setup({
  types: {
    context: {} as BackgroundFetchContext,
    events: {} as BackgroundFetchEvent,
  },
  actions: {
    sendPreFetch: noEffect,
    downloadPackage: noEffect,
    runOnLaunch: noEffect,
    showAgain: noEffect,
    endProcess: noEffect,
    startCold: assign(({ context, event }) =>
      event.type === 'user.opened'
        ? {
            entrance: event.entrance,
            preSentThisStart: false,
            preSlow: false,
            preCachedThisStart: false,
            listening: false,
            preRead: null,
            freshViaListener: false,
            // Using the mini program restarts the client's periodic schedule.
            periodicActive: true,
            coldStarts: context.coldStarts + 1,
          }
        : {},
    ),
    startHot: assign(({ context }) => ({ periodicActive: true, hotStarts: context.hotStarts + 1 })),
    recordSent: assign(({ event }) => (event.type === 'wechat.preFetchSent' ? { preInFlight: true, preSentThisStart: true, preSlow: event.slow } : {})),
    recordRead: assign(({ event }) => (event.type === 'mp.launchRead' ? { preRead: event.pre, listening: event.listening } : {})),
    recordArrival: assign(({ context, event }) =>
      event.type === 'client.preFetchArrived'
        ? {
            preInFlight: false,
            preSlotFilled: context.preSlotFilled || event.delivery !== 'notCached',
            preCachedThisStart: context.preCachedThisStart || event.delivery !== 'notCached',
            freshViaListener: context.freshViaListener || event.delivery === 'listener',
          }
        : {},
    ),
    countPeriodic: assign(({ context }) => ({ periodicFetches: context.periodicFetches + 1 })),
    stopPeriodic: assign({ periodicActive: false }),
    forgetRun: assign({ listening: false, entrance: null }),
  },
}).createMachine({
  id: 'backgroundFetch',
  initial: 'closed',
  context: initialContext,
  on: {
    // The WeChat client's own clock: it fetches whether or not the mini program runs.
    'client.periodicFetched': { actions: 'countPeriodic' },
    // A pre-fetch answer lands whenever the developer server gets round to it.
    'client.preFetchArrived': { actions: 'recordArrival' },
    // WeChat's server may get to it after the package has loaded (the reader picks the order).
    'wechat.preFetchSent': { actions: 'recordSent' },
  },
  states: {
    // client.periodicStopped comes only in the states without the onScreen tag: on screen is in use (the world's periodicTick).
    closed: {
      on: { 'user.opened': { target: 'coldStart', actions: 'startCold' }, 'client.periodicStopped': { actions: 'stopPeriodic' } },
    },
    coldStart: {
      tags: ['onScreen'],
      initial: 'downloading',
      states: {
        downloading: {
          entry: ['sendPreFetch', 'downloadPackage'],
          on: { 'client.packageLoaded': 'launching' },
        },
        launching: {
          entry: 'runOnLaunch',
          on: { 'mp.launchRead': { target: '#backgroundFetch.showing', actions: 'recordRead' } },
        },
      },
    },
    showing: {
      tags: ['onScreen'],
      on: { 'user.leftMiniProgram': 'background' },
    },
    background: {
      on: {
        'user.returned': { target: 'hotStart', actions: 'startHot' },
        'user.closedMiniProgram': 'closing',
        'client.periodicStopped': { actions: 'stopPeriodic' },
      },
    },
    closing: {
      entry: 'endProcess',
      on: { 'client.processEnded': { target: 'closed', actions: 'forgetRun' }, 'client.periodicStopped': { actions: 'stopPeriodic' } },
    },
    hotStart: {
      tags: ['onScreen'],
      entry: 'showAgain',
      on: { 'mp.shown': 'showing' },
    },
  },
});

export type BackgroundFetchMachine = typeof backgroundFetchMachine;
