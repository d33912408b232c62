/** World controls several chapters offer: faults WeChat's API can answer with, and a jump past a code's lifetime. */
import { clockControl } from '../../kit/engine/controls.ts';
import type { ClockControl, WorldControl } from '../../kit/engine/definition.ts';
import type { SimulatedWorld } from '../../world/simulated-world.ts';
import { MINUTE } from '../../world/support/clock.ts';
import { CODE_LIFETIME_MS } from '../../world/wechat/login-sessions.ts';

/** A login or phone-number code's lifetime in minutes, as the chapters say it. */
export const CODE_LIFETIME_MINUTES = CODE_LIFETIME_MS / MINUTE;

/**
 * One minute past a code's lifetime. Its id stays `plus-6m` whatever the
 * lifetime, because shared links store ids.
 */
export function pastCodeLifetime(hint = `code 只有 ${CODE_LIFETIME_MINUTES} 分钟有效期：过期后服务器再拿它换会话，会得到 40029`): ClockControl {
  return clockControl('plus-6m', `+${CODE_LIFETIME_MINUTES + 1} 分钟`, CODE_LIFETIME_MS + MINUTE, hint);
}

/** Arms a one-shot errcode for the next code2Session call. */
export function code2SessionFault(id: string, label: string, errcode: -1 | 45011): WorldControl<SimulatedWorld> {
  return {
    kind: 'world',
    id,
    label,
    hint: `下一次 code2Session 返回 errcode ${errcode}`,
    apply: (world) => world.wechat.injectFault('jscode2session', errcode),
    active: (world) => world.wechat.pendingFault('jscode2session') === errcode,
  };
}
