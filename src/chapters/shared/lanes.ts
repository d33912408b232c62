/**
 * The four parties of every login-shaped flow: the mini program and the
 * WeChat client on the user's phone, the developer's server, WeChat's server.
 */
import type { AnyStateMachine } from 'xstate';
import type { KitWorld, LaneSpec, SimulationDefinition } from '../../kit/engine/definition.ts';

export const STANDARD_LANES = [
  { id: 'miniprogram', label: '小程序', trust: 'device' },
  { id: 'client', label: '微信客户端', trust: 'device' },
  { id: 'developer', label: '开发者服务器', trust: 'developer' },
  { id: 'wechat', label: '微信服务器', trust: 'wechat' },
] as const satisfies readonly LaneSpec[];

/** The stage of a login-shaped chapter: the four standard lanes, one user's phone, a wall clock. */
export const ONE_PHONE_STAGE = {
  lanes: STANDARD_LANES,
  phones: [{ id: 'user', label: '用户的手机' }],
  timeScale: 'clock',
} as const satisfies Pick<SimulationDefinition<AnyStateMachine, KitWorld>, 'lanes' | 'phones' | 'timeScale'>;
