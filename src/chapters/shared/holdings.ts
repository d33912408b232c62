/**
 * "Who holds what" rows several chapters show: what the mini program keeps in
 * storage, what the developer server stored at login, the AppSecret, and
 * WeChat's current session_key.
 */
import type { HolderRow } from '../../kit/engine/definition.ts';
import type { SimulatedWorld } from '../../world/simulated-world.ts';
import { currentSessionKey } from './wx.ts';

/** Storage keys that must never be on the phone: a row for one of them is a leak the panel flags. */
const SECRET_STORAGE_KEYS = new Set(['session_key']);

export function storageRows(world: SimulatedWorld): HolderRow[] {
  return Object.entries(world.client.storageSnapshot()).map(([key, value]) => ({
    holder: 'miniprogram',
    item: `storage.${key}`,
    value: String(value),
    ...(SECRET_STORAGE_KEYS.has(key) ? { secret: true } : {}),
  }));
}

export function serverSessionRows(world: SimulatedWorld, keyLabel = 'session_key'): HolderRow[] {
  return [...world.sessions.records.values()].flatMap((record) => [
    { holder: 'developer', item: 'openid', value: record.openid },
    { holder: 'developer', item: keyLabel, value: record.sessionKey, secret: true },
    ...(record.unionid ? [{ holder: 'developer', item: 'unionid', value: record.unionid }] : []),
  ]);
}

export const appSecretRow: HolderRow = { holder: 'developer', item: 'AppSecret', value: '（配置在服务器环境变量里）', secret: true };

export function wechatSessionKeyRow(world: SimulatedWorld): HolderRow {
  const current = currentSessionKey(world);
  return { holder: 'wechat', item: '当前 session_key', value: current ?? '（无有效会话）', secret: current !== undefined };
}
