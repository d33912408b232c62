import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { APPID, bearer, mintCode, serverConfig, startServer, useEmulator, useTempDir } from './helpers.ts';
import { openSessionStore } from '../server/src/session-store.ts';
import { createSessionCipher } from '../server/src/session-cipher.ts';

const cipher = createSessionCipher([{ id: 'k1', key: Buffer.alloc(32, 7) }]);

const emulator = useEmulator({ carol: {} });
const dir = useTempDir();
describe('sessions in SQLite', () => {
  it('survive closing and rebuilding the app on the same file', async () => {
    const config = serverConfig(emulator.url, `${dir.path}/nested/dir/companion.db`);
    const first = await startServer(config);
    const { token } = (await first.login(await mintCode(emulator.url, 'carol'))).json;
    await first.app.close();

    const second = await startServer(config);
    try {
      expect(await second.request('/api/me', { headers: bearer(token) })).toMatchObject({
        status: 200,
        json: { openid: emulator.world.openid(APPID, 'carol') },
      });
    } finally {
      await second.app.close();
    }
  });

  it('keep one row per openid, replaced by the latest login, in WAL mode', async () => {
    const file = `${dir.path}/store.db`;
    const { store } = openSessionStore(file, cipher);
    await store.save({ openid: 'o1', sessionKey: 'k1', updatedAt: 1 });
    await store.save({ openid: 'o1', sessionKey: 'k2', unionid: 'u1', updatedAt: 2 });
    expect(await store.get('o1')).toEqual({ openid: 'o1', sessionKey: 'k2', unionid: 'u1', updatedAt: 2 });
    expect(await store.get('nobody')).toBeUndefined();
    store.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 1 });
    db.close();
  });

  it('asks the file again after every "no": a row another connection writes is found at once', async () => {
    const file = `${dir.path}/shared.db`;
    const { store } = openSessionStore(file, cipher);
    await store.save({ openid: 'o1', sessionKey: 'k1', updatedAt: 1 });
    expect(await store.has('o1')).toBe(true);
    expect(await store.has('o2')).toBe(false);

    const other = new Database(file);
    const { keyId, sealed } = cipher.seal('o2', 'k2');
    other.prepare('INSERT INTO sessions (openid, key_id, session_key, unionid, updated_at) VALUES (?, ?, ?, NULL, 2)').run('o2', keyId, sealed);
    other.close();
    expect(await store.has('o2')).toBe(true);
    expect(await store.has('o3')).toBe(false);
    store.close();
  });

  it('forgets what it remembered within a second of another connection changing the file: a session deleted there stops working', async () => {
    const file = `${dir.path}/revoked.db`;
    let time = 0;
    const { store } = openSessionStore(file, cipher, { now: () => time });
    await store.save({ openid: 'o1', sessionKey: 'k1', updatedAt: 1 });
    await store.save({ openid: 'o2', sessionKey: 'k2', updatedAt: 1 });
    expect(await store.has('o1')).toBe(true);

    const other = new Database(file);
    other.prepare('DELETE FROM sessions WHERE openid = ?').run('o1');
    other.close();
    // Remembered for what is left of the second.
    time += 999;
    expect(await store.has('o1')).toBe(true);
    time += 1;
    expect(await store.has('o1')).toBe(false);
    expect(await store.has('o2')).toBe(true);
    store.close();
  });

  it('refuses a database written by a newer schema instead of misreading it', () => {
    const file = `${dir.path}/future.db`;
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openSessionStore(file, cipher)).toThrow(/schema version 99/);
  });
});
