/**
 * Server-side sessions in SQLite: what jscode2session returned, keyed by openid.
 *
 * Format (PRAGMA user_version = 2):
 *   sessions(openid TEXT PRIMARY KEY, key_id TEXT, session_key BLOB, unionid TEXT NULL, updated_at INTEGER ms)
 * session_key is sealed by session-cipher.ts under the key named by key_id.
 * Version 1 kept session_key as plain TEXT; opening such a file seals every
 * row in place. A login replaces the row, because WeChat keeps one valid
 * session_key per user at a time. A file with a newer version than this code
 * knows is refused rather than misread.
 *
 * The file (and SQLite's -wal/-shm beside it, which inherit its mode) is
 * readable by the server's user only.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { SessionRecord, SessionStore } from '../../../src/world/developer/developer-server.ts';
import { DEV_KEY_PREFIX, type SessionCipher } from './session-cipher.ts';

const SCHEMA_VERSION = 2;

/** Openids remembered as having a session; the least recently used go first, and one that is gone is asked of SQLite again. */
const MAX_REMEMBERED_OPENIDS = 10_000;
/** How often, at most, the file is asked whether anything else changed it. */
const DATA_VERSION_CHECK_MS = 1000;

export interface SessionStoreOptions {
  /** Milliseconds, for DATA_VERSION_CHECK_MS only; tests pass their own. */
  now?: () => number;
}

export interface SqliteSessionStore extends SessionStore {
  close(): void;
}

export interface SessionStoreReport {
  /** Rows found in plain text (schema 1) and sealed now. */
  migrated: number;
  /** Rows moved from an older key to the current one. */
  resealed: number;
  /** Rows under a development key that no longer exists: worthless, because their tokens died with that TOKEN_SECRET. */
  discarded: number;
}

interface Row {
  openid: string;
  key_id: string;
  session_key: Buffer;
  unionid: string | null;
  updated_at: number;
}

const CREATE_V2 = `
  CREATE TABLE sessions (
    openid      TEXT PRIMARY KEY,
    key_id      TEXT NOT NULL,
    session_key BLOB NOT NULL,
    unionid     TEXT,
    updated_at  INTEGER NOT NULL
  ) STRICT;
`;

/** Owner-only from the first byte: created with mode 0600, and tightened if it already existed. */
function restrictFiles(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
}

function migrate(db: Database.Database, cipher: SessionCipher, report: SessionStoreReport): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`session database has schema version ${version}, this server knows up to ${SCHEMA_VERSION}`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    if (version === 1) {
      db.exec('ALTER TABLE sessions RENAME TO sessions_v1;');
      db.exec(CREATE_V2);
      const insert = db.prepare('INSERT INTO sessions (openid, key_id, session_key, unionid, updated_at) VALUES (?, ?, ?, ?, ?)');
      const plain = db.prepare<[], { openid: string; session_key: string; unionid: string | null; updated_at: number }>(
        'SELECT openid, session_key, unionid, updated_at FROM sessions_v1',
      );
      for (const row of plain.all()) {
        const { keyId, sealed } = cipher.seal(row.openid, row.session_key);
        insert.run(row.openid, keyId, sealed, row.unionid, row.updated_at);
        report.migrated += 1;
      }
      db.exec('DROP TABLE sessions_v1;');
    } else {
      db.exec(CREATE_V2);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/** Rows under an older key move to the current one, so that key can leave the configuration after this start. */
function reseal(db: Database.Database, cipher: SessionCipher, report: SessionStoreReport): void {
  const stale = db
    .prepare<[string], Row>('SELECT openid, key_id, session_key, unionid, updated_at FROM sessions WHERE key_id <> ?')
    .all(cipher.currentKeyId);
  const unknown = stale.filter((row) => !cipher.has(row.key_id) && !row.key_id.startsWith(DEV_KEY_PREFIX));
  if (unknown.length > 0) {
    const ids = [...new Set(unknown.map((row) => row.key_id))].join(', ');
    throw new Error(
      `${unknown.length} sessions are encrypted with key id ${ids}, which SESSION_ENCRYPTION_KEYS does not contain: add that key back (after the current one), or delete the session database to log everyone out`,
    );
  }
  const update = db.prepare('UPDATE sessions SET key_id = ?, session_key = ? WHERE openid = ?');
  const remove = db.prepare('DELETE FROM sessions WHERE openid = ?');
  db.transaction(() => {
    for (const row of stale) {
      if (!cipher.has(row.key_id)) {
        remove.run(row.openid);
        report.discarded += 1;
        continue;
      }
      const { keyId, sealed } = cipher.seal(row.openid, cipher.open(row.openid, row.key_id, row.session_key));
      update.run(keyId, sealed, row.openid);
      report.resealed += 1;
    }
  })();
}

export function openSessionStore(
  file: string,
  cipher: SessionCipher,
  { now = () => performance.now() }: SessionStoreOptions = {},
): { store: SqliteSessionStore; report: SessionStoreReport } {
  if (file !== ':memory:') restrictFiles(file);
  const db = new Database(file);
  // WAL lets /api/me read while a login writes; NORMAL sync is durable across a process crash, which is what a restart needs.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');

  const report: SessionStoreReport = { migrated: 0, resealed: 0, discarded: 0 };
  // While plain text or an old key's ciphertext is replaced, freed pages are zeroed rather than left behind in the file.
  db.pragma('secure_delete = ON');
  migrate(db, cipher, report);
  reseal(db, cipher, report);
  db.pragma('secure_delete = OFF');
  // The WAL still holds the pages as they were before; fold it into the (now zeroed) database file and empty it.
  if (report.migrated + report.resealed + report.discarded > 0) db.pragma('wal_checkpoint(TRUNCATE)');

  const upsert = db.prepare<[string, string, Buffer, string | null, number]>(`
    INSERT INTO sessions (openid, key_id, session_key, unionid, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (openid) DO UPDATE SET key_id = excluded.key_id, session_key = excluded.session_key,
      unionid = excluded.unionid, updated_at = excluded.updated_at
  `);
  const select = db.prepare<[string], Row>('SELECT openid, key_id, session_key, unionid, updated_at FROM sessions WHERE openid = ?');
  const exists = db.prepare<[string], 1>('SELECT 1 FROM sessions WHERE openid = ?').pluck();
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();

  // Which openids have a session, so an authenticated request usually skips SQLite: each read in WAL mode
  // takes and drops a shared lock on the -shm file (two fcntl calls), 4.1 µs a lookup against 0.4 µs from
  // memory, a fifth of GET /api/me's CPU under load. (Exclusive locking would save it too, but then nothing
  // else could open the file while the server runs.) Only "yes" is remembered. This process deletes rows
  // only while opening, above; whatever else changes the file (another server on it, an operator deleting a
  // session) changes SQLite's data_version, and then everything remembered is forgotten: a session deleted
  // elsewhere stops working within DATA_VERSION_CHECK_MS.
  const withSession = new LRUCache<string, true>({ max: MAX_REMEMBERED_OPENIDS });
  let version = dataVersion.get();
  let checkedAt = now();
  const forgetIfChangedElsewhere = () => {
    const at = now();
    if (at - checkedAt < DATA_VERSION_CHECK_MS) return;
    checkedAt = at;
    const current = dataVersion.get();
    if (current === version) return;
    version = current;
    withSession.clear();
  };

  const store: SqliteSessionStore = {
    async save(record) {
      const { keyId, sealed } = cipher.seal(record.openid, record.sessionKey);
      upsert.run(record.openid, keyId, sealed, record.unionid ?? null, record.updatedAt);
      withSession.set(record.openid, true);
    },
    async get(openid) {
      const row = select.get(openid);
      if (!row) return undefined;
      const record: SessionRecord = {
        openid: row.openid,
        // Opened only when read, by the routes that decrypt with it.
        get sessionKey() {
          return cipher.open(row.openid, row.key_id, row.session_key);
        },
        updatedAt: row.updated_at,
      };
      if (row.unionid !== null) record.unionid = row.unionid;
      return record;
    },
    // Every authenticated request asks this. When SQLite is asked, it reads no column and copies no sealed key: reading the whole row, GET /api/me served a third fewer requests.
    async has(openid) {
      forgetIfChangedElsewhere();
      if (withSession.get(openid)) return true;
      if (exists.get(openid) === undefined) return false;
      withSession.set(openid, true);
      return true;
    },
    close() {
      db.close();
    },
  };
  return { store, report };
}
