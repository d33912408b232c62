/**
 * The login token as the mini program keeps it between launches.
 *
 * Storage key `companion.session`, value `{ v: 1, token, openid, savedAt }`
 * (savedAt in ms). The token is the server's opaque login state; session_key
 * never reaches the phone. A value of another version, or anything
 * unreadable, counts as signed out: the user logs in again, nothing breaks.
 * Bump `v` if the shape changes.
 */
const KEY = 'companion.session';

export interface StoredSession {
  v: 1;
  token: string;
  openid: string;
  savedAt: number;
}

export function readSession(): StoredSession | null {
  let value: unknown;
  try {
    value = wx.getStorageSync(KEY);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const session = value as Partial<StoredSession>;
  return session.v === 1 && typeof session.token === 'string' && typeof session.openid === 'string'
    ? (session as StoredSession)
    : null;
}

export function saveSession(token: string, openid: string): void {
  const session: StoredSession = { v: 1, token, openid, savedAt: Date.now() };
  wx.setStorageSync(KEY, session);
}

export function clearSession(): void {
  wx.removeStorageSync(KEY);
}

export const SESSION_STORAGE_KEY = KEY;
