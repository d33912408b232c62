/**
 * The wx.* calls several chapters make, carried out once against the
 * simulated world and narrated the same way everywhere: `wx.login` always
 * says whether WeChat rotated session_key, `wx.checkSession` always says that
 * it refreshes nothing, `wx.request` always fails loudly when the network does.
 */
import { DEMO_APP, DEMO_USER, type SimulatedWorld } from '../../world/simulated-world.ts';
import type { ApiErrorBody } from '../../world/support/http.ts';
import { CODE_LIFETIME_MINUTES } from './controls.ts';

/** First characters of a key: enough for a reader to tell two keys apart at a glance. */
export function keyTag(key: string | null | undefined): string {
  return key ? `${key.slice(0, 6)}…` : '（无）';
}

export function currentSessionKey(world: SimulatedWorld): string | undefined {
  return world.wechat.currentSessionKey(DEMO_APP.appid, DEMO_USER.id);
}

/** wx.login on the demo user's phone: a fresh code, and a session_key that WeChat may or may not have rotated. */
export function wxLogin(world: SimulatedWorld): { code: string; errMsg: string } {
  const before = currentSessionKey(world);
  world.wire.record({ from: 'miniprogram', to: 'client', label: 'wx.login()' });
  const result = world.client.login();
  if (!result.ok) throw new Error(result.errMsg);
  const after = currentSessionKey(world);
  const rotated = before !== undefined && before !== after;
  world.wire.record({
    from: 'client',
    to: 'wechat',
    label: '（微信内部）申请登录凭证',
    tone: rotated ? 'danger' : 'normal',
    note: rotated
      ? `session_key 被刷新：${keyTag(before)} 作废，现在是 ${keyTag(after)}`
      : before === undefined
        ? `新会话，session_key 为 ${keyTag(after)}`
        : `这次没有刷新，session_key 仍是 ${keyTag(after)}`,
  });
  world.wire.record({ from: 'wechat', to: 'client', label: 'code', payload: { code: result.code }, note: `code ${CODE_LIFETIME_MINUTES} 分钟内有效，只能用一次` });
  world.wire.record({ from: 'client', to: 'miniprogram', label: 'success', payload: { errMsg: result.errMsg, code: result.code } });
  return { code: result.code, errMsg: result.errMsg };
}

/** wx.checkSession: asks WeChat about the session of the latest code; never refreshes it. */
export function wxCheckSession(world: SimulatedWorld): { ok: boolean } {
  world.wire.record({ from: 'miniprogram', to: 'client', label: 'wx.checkSession()' });
  world.wire.record({ from: 'client', to: 'wechat', label: '（微信内部）最近一次 code 对应的 session_key 还有效吗？' });
  const result = world.client.checkSession();
  world.wire.record({
    from: 'wechat',
    to: 'client',
    label: result.ok ? '有效' : '已失效',
    tone: result.ok ? 'normal' : 'error',
    note: '它只检查，不会刷新 session_key',
  });
  wxCallback(world, result);
  return { ok: result.ok };
}

/** The WeChat client answering a wx.* call: success or fail with its errMsg, and why it matters. */
export function wxCallback(world: SimulatedWorld, result: { ok: boolean; errMsg: string }, note?: string): void {
  world.wire.record({
    from: 'client',
    to: 'miniprogram',
    label: result.ok ? 'success' : 'fail',
    payload: { errMsg: result.errMsg },
    tone: result.ok ? 'normal' : 'error',
    ...(note ? { note } : {}),
  });
}

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ApiErrorBody['error'] };

/**
 * wx.request to the developer server, which the world routes and records.
 * The simulated network never drops a request, so a transport failure is a
 * bug in the simulation and throws.
 */
export async function wxRequest<T>(
  world: SimulatedWorld,
  options: { url: string; method: 'GET' | 'POST'; header?: Record<string, string>; data?: unknown },
): Promise<ApiResult<T>> {
  const result = await world.client.request(options);
  if (!result.ok) throw new Error(result.errMsg);
  if (result.statusCode < 400) return { ok: true, status: result.statusCode, data: result.data as T };
  return { ok: false, status: result.statusCode, error: (result.data as ApiErrorBody).error };
}

export const bearer = (token: string | null | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};
