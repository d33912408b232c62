/**
 * session_key at rest (issue 18, "also noted"): sealed with AES-256-GCM
 * under a configured key whose id is stored per row, in a file only the
 * server's user can read; plain-text databases migrate on start, rows under
 * an old key move to the current one, and a missing key stops the start.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSessionStore } from '../server/src/session-store.ts';
import { createSessionCipher } from '../server/src/session-cipher.ts';
import { APPID, bearer, captureLog, mintCode, serverConfig, startServer, useEmulator, useTempDir } from './helpers.ts';

const K1 = { id: 'k1', key: Buffer.alloc(32, 1) };
const K2 = { id: 'k2', key: Buffer.alloc(32, 2) };
const keysVar = (...keys: Array<typeof K1>) => keys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(',');

const emulator = useEmulator({ lee: {} });
const dir = useTempDir();
/** The database and its WAL as bytes: what someone who copies the files gets. */
const onDisk = (file: string) => Buffer.concat([file, `${file}-wal`].filter(existsSync).map((path) => readFileSync(path)));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('session_key at rest', () => {
  it('is never in the database files, which only the server user can read', async () => {
    const file = `${dir.path}/live/companion.db`;
    const server = await startServer(
      serverConfig(emulator.url, file, { SESSION_ENCRYPTION_KEYS: keysVar(K1) }),
    );
    try {
      const { token } = (await server.login(await mintCode(emulator.url, 'lee'))).json;
      expect((await server.request('/api/me', { headers: bearer(token) })).status).toBe(200);
      const sessionKey = emulator.world.currentSessionKey(APPID, 'lee')!;
      expect(sessionKey).toBeTruthy();
      const bytes = onDisk(file);
      expect(bytes.includes(Buffer.from(sessionKey))).toBe(false);
      expect(bytes.includes(Buffer.from(sessionKey, 'base64'))).toBe(false);
      for (const path of [file, `${file}-wal`, `${file}-shm`].filter(existsSync)) expect(mode(path)).toBe(0o600);
      expect(mode(`${dir.path}/live`)).toBe(0o700);
    } finally {
      await server.app.close();
    }
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT key_id FROM sessions').all()).toEqual([{ key_id: 'k1' }]);
    db.close();
  });

  it('migrates a plain-text (schema 1) database on start and leaves no plain text behind', async () => {
    const file = `${dir.path}/v1.db`;
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec(`
      CREATE TABLE sessions (openid TEXT PRIMARY KEY, session_key TEXT NOT NULL, unionid TEXT, updated_at INTEGER NOT NULL) STRICT;
      INSERT INTO sessions VALUES ('oOld1', 'PLAINTEXT-SESSION-KEY-1', NULL, 1), ('oOld2', 'PLAINTEXT-SESSION-KEY-2', 'u2', 2);
      PRAGMA user_version = 1;
    `);
    old.close();

    const { store, report } = openSessionStore(file, createSessionCipher([K1]));
    expect(report).toEqual({ migrated: 2, resealed: 0, discarded: 0 });
    expect(await store.get('oOld2')).toEqual({ openid: 'oOld2', sessionKey: 'PLAINTEXT-SESSION-KEY-2', unionid: 'u2', updatedAt: 2 });
    store.close();
    expect(onDisk(file).includes(Buffer.from('PLAINTEXT-SESSION-KEY'))).toBe(false);
    expect(mode(file)).toBe(0o600);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('moves rows to a new key on start, then runs without the old one, and refuses to start without a key it needs', async () => {
    const file = `${dir.path}/rotate.db`;
    const first = openSessionStore(file, createSessionCipher([K1]));
    await first.store.save({ openid: 'oR', sessionKey: 'ROTATED-KEY', updatedAt: 1 });
    first.store.close();

    const K3 = { id: 'k3', key: Buffer.alloc(32, 3) };
    expect(() => openSessionStore(file, createSessionCipher([K3]))).toThrow(/key id k1/);

    const rotated = openSessionStore(file, createSessionCipher([K2, K1]));
    expect(rotated.report.resealed).toBe(1);
    rotated.store.close();
    const onlyNew = openSessionStore(file, createSessionCipher([K2]));
    expect(await onlyNew.store.get('oR')).toMatchObject({ sessionKey: 'ROTATED-KEY' });
    onlyNew.store.close();
  });

  it("refuses a sealed value moved onto another user's row instead of decrypting it as theirs", async () => {
    const file = `${dir.path}/moved.db`;
    const { store } = openSessionStore(file, createSessionCipher([K1]));
    await store.save({ openid: 'oVictim', sessionKey: 'VICTIM-KEY', updatedAt: 1 });
    await store.save({ openid: 'oAttacker', sessionKey: 'ATTACKER-KEY', updatedAt: 1 });
    store.close();
    const db = new Database(file);
    db.prepare("UPDATE sessions SET session_key = (SELECT session_key FROM sessions WHERE openid = 'oVictim') WHERE openid = 'oAttacker'").run();
    db.close();
    const reopened = openSessionStore(file, createSessionCipher([K1]));
    const moved = await reopened.store.get('oAttacker');
    expect(() => moved?.sessionKey).toThrow();
    expect(await reopened.store.get('oVictim')).toMatchObject({ sessionKey: 'VICTIM-KEY' });
    reopened.store.close();
  });

  it('says loudly when it runs on the development key (emulator only)', async () => {
    const log = captureLog();
    const server = await startServer(serverConfig(emulator.url, `${dir.path}/dev.db`, { LOG_LEVEL: 'warn' }), {
      logStream: log.stream,
    });
    await server.app.close();
    const warning = log.lines.map((line) => JSON.parse(line)).find((line) => /DEVELOPMENT-ONLY/.test(line.msg));
    expect(warning).toMatchObject({ level: 40, keyId: expect.stringMatching(/^dev-[0-9a-f]{8}$/) });
  });
});
