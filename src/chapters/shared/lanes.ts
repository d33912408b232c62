/**
 * The parties several chapters share, declared once so that a party has the
 * same name and the same trust (which drives the secret badges and the leak
 * findings) in every chapter; and the stage of login-shaped flows.
 */
import type { AnyStateMachine } from 'xstate';
import type { KitWorld, LaneSpec, SimulationDefinition } from '../../kit/engine/definition.ts';

export const LANES = {
  user: { id: 'user', label: '用户', trust: 'device' },
  miniprogram: { id: 'miniprogram', label: '小程序', trust: 'device' },
  client: { id: 'client', label: '微信客户端', segments: ['微信', '客户端'], trust: 'device' },
  developer: { id: 'developer', label: '开发者服务器', segments: ['开发者', '服务器'], trust: 'developer' },
  wechat: { id: 'wechat', label: '微信服务器', segments: ['微信', '服务器'], trust: 'wechat' },
} as const satisfies Record<string, LaneSpec>;

/** The four parties of every login-shaped flow: the mini program and the WeChat client on the user's phone, the developer's server, WeChat's server. */
export const STANDARD_LANES = [LANES.miniprogram, LANES.client, LANES.developer, LANES.wechat] as const satisfies readonly LaneSpec[];

/** The one phone of a single-user chapter. */
export const USER_PHONE = { id: 'user', label: '用户的手机' } as const;

/** The stage of a login-shaped chapter: the four standard lanes, one user's phone, a wall clock. */
export const ONE_PHONE_STAGE = {
  lanes: STANDARD_LANES,
  phones: [USER_PHONE],
  timeScale: 'clock',
} as const satisfies Pick<SimulationDefinition<AnyStateMachine, KitWorld>, 'lanes' | 'phones' | 'timeScale'>;
