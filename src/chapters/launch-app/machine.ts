/**
 * 打开 App as a statechart of what is in front of the user: the native App
 * (asking WeChat to open the mini program, or reading the reply that carries
 * `extMsg`), WeChat itself (where the user picks an entrance), WeChat routing
 * an entry, the mini program's page, and WeChat handling a tap on the
 * `open-type="launchApp"` button.
 *
 * WeChat's hidden "can launch App" flag, drawn as a return ticket, is
 * `context.ticket`: it changes only when WeChat reports how an entry changed
 * it (grant, keep, clear) or that the mini program's lifecycle ended. (It is
 * not a parallel region because the kit looks up each state's code by the
 * whole state string.)
 *
 * WeChat decides (the world); the machine waits for what happened. Every
 * side effect is a named entry action with an empty default.
 */
import { assign, setup } from 'xstate';
import { SCENE_FROM_APP, type LaunchRefusal, type TicketChange } from '../../world/wechat/launch-app.ts';

export interface LaunchAppContext {
  /** The return ticket as WeChat last reported it. */
  ticket: boolean;
  /** The scene WeChat is routing now. */
  pendingScene: number | null;
  /** The last entry's scene and what it did to the ticket. */
  lastScene: number | null;
  lastChange: TicketChange | null;
  /** Whether the mini program is alive (in front or in the background). */
  running: boolean;
  /** binderror's errMsg after the last failed tap. */
  lastError: string | null;
  /** Why WeChat refused the App's last launch request. */
  refusal: LaunchRefusal | null;
  /** The last `extMsg` the App read. */
  extMsg: string | null;
}

export type LaunchAppEvent =
  | { type: 'user.launchedFromApp' }
  | { type: 'user.switchedToWeChat' }
  | { type: 'user.switchedToApp' }
  | { type: 'user.enteredFrom'; scene: number }
  | { type: 'user.closedMiniProgram' }
  | { type: 'user.wentToBackground' }
  | { type: 'user.tappedLaunchApp' }
  | { type: 'wechat.launchRefused'; reason: LaunchRefusal }
  | { type: 'wechat.launchAccepted' }
  | { type: 'wechat.sceneRouted'; scene: number; change: TicketChange }
  | { type: 'wechat.miniProgramClosed' }
  | { type: 'wechat.launchAppFailed'; errMsg: string }
  | { type: 'wechat.appOpened'; extMsg: string }
  | { type: 'app.respReceived'; extMsg: string };

export type LaunchAppEffect = 'requestLaunch' | 'routeScene' | 'closeMiniProgram' | 'tapLaunchApp' | 'deliverResp';

const noEffect = () => {};

const initialContext: LaunchAppContext = {
  ticket: false,
  pendingScene: null,
  lastScene: null,
  lastChange: null,
  running: false,
  lastError: null,
  refusal: null,
  extMsg: null,
};

export const launchAppMachine = setup({
  types: {
    context: {} as LaunchAppContext,
    events: {} as LaunchAppEvent,
  },
  actions: {
    requestLaunch: noEffect,
    routeScene: noEffect,
    closeMiniProgram: noEffect,
    tapLaunchApp: noEffect,
    deliverResp: noEffect,
    startRequest: assign({ refusal: null }),
    recordRefusal: assign(({ event }) => (event.type === 'wechat.launchRefused' ? { refusal: event.reason } : {})),
    enterFromApp: assign({ pendingScene: SCENE_FROM_APP }),
    enterFromWeChat: assign(({ event }) => (event.type === 'user.enteredFrom' ? { pendingScene: event.scene } : {})),
    recordEntry: assign(({ context, event }) =>
      event.type === 'wechat.sceneRouted'
        ? {
            pendingScene: null,
            lastScene: event.scene,
            lastChange: event.change,
            // A closed mini program holds no ticket, so a keeping scene on a cold start keeps nothing.
            ticket: event.change === 'grant' || (event.change === 'keep' && context.ticket),
            running: true,
            lastError: null,
          }
        : {},
    ),
    recordClose: assign({ ticket: false, running: false, lastScene: null, lastChange: null, lastError: null }),
    recordTapFailure: assign(({ event }) => (event.type === 'wechat.launchAppFailed' ? { lastError: event.errMsg } : {})),
    recordResp: assign(({ event }) => (event.type === 'app.respReceived' ? { extMsg: event.extMsg } : {})),
  },
  guards: {
    // Guards also run for bare `{ type }` probes (the simulator asks `can()`), so a payload may be missing.
    isRunning: ({ context }) => context.running,
  },
}).createMachine({
  id: 'launchApp',
  initial: 'app',
  context: initialContext,
  states: {
    app: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            'user.launchedFromApp': { target: 'requesting', actions: 'startRequest' },
            'user.switchedToWeChat': '#launchApp.wechat',
          },
        },
        requesting: {
          entry: 'requestLaunch',
          on: {
            'wechat.launchRefused': { target: 'idle', actions: 'recordRefusal' },
            'wechat.launchAccepted': { target: '#launchApp.entering', actions: 'enterFromApp' },
          },
        },
        receiving: {
          entry: 'deliverResp',
          on: { 'app.respReceived': { target: 'idle', actions: 'recordResp' } },
        },
      },
    },
    wechat: {
      on: {
        'user.enteredFrom': { target: 'entering', actions: 'enterFromWeChat' },
        'user.switchedToApp': 'app.idle',
        'user.closedMiniProgram': { guard: 'isRunning', target: 'closing' },
      },
    },
    closing: {
      entry: 'closeMiniProgram',
      on: { 'wechat.miniProgramClosed': { target: 'wechat', actions: 'recordClose' } },
    },
    entering: {
      entry: 'routeScene',
      on: { 'wechat.sceneRouted': { target: 'miniProgram', actions: 'recordEntry' } },
    },
    miniProgram: {
      on: {
        'user.tappedLaunchApp': 'tapping',
        'user.wentToBackground': 'wechat',
      },
    },
    tapping: {
      entry: 'tapLaunchApp',
      on: {
        'wechat.launchAppFailed': { target: 'miniProgram', actions: 'recordTapFailure' },
        'wechat.appOpened': 'app.receiving',
      },
    },
  },
});

export type LaunchAppMachine = typeof launchAppMachine;
