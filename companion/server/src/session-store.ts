/**
 * Server-side sessions in SQLite: what jscode2session returned, keyed by openid.
 *
 * Format (PRAGMA user_version = 1):
 *   sessions(openid TEXT PRIMARY KEY, session_key TEXT, unionid TEXT NULL, updated_at INTEGER ms)
 * A login replaces the row, because WeChat keeps one valid session_key per
 * user at a time. A future version bumps user_version and migrates in
 * `migrate`; a file with a newer version than this code knows is refused
 * rather than misread.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SessionRecord, SessionStore } from '../../../src/world/developer/developer-server.ts';

const SCHEMA_VERSION = 1;

export interface SqliteSessionStore extends SessionStore {
  close(): void;
}

interface Row {
  openid: string;
  session_key: string;
  unionid: string | null;
  updated_at: number;
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`session database has schema version ${version}, this server knows up to ${SCHEMA_VERSION}`);
  }
  if (version < 1) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS sessions (
        openid      TEXT PRIMARY KEY,
        session_key TEXT NOT NULL,
        unionid     TEXT,
        updated_at  INTEGER NOT NULL
      ) STRICT;
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
  }
}

export function openSessionStore(file: string): SqliteSessionStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // WAL lets /api/me read while a login writes; NORMAL sync is durable across a process crash, which is what a restart needs.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const upsert = db.prepare<[string, string, string | null, number]>(`
    INSERT INTO sessions (openid, session_key, unionid, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (openid) DO UPDATE SET session_key = excluded.session_key, unionid = excluded.unionid, updated_at = excluded.updated_at
  `);
  const select = db.prepare<[string], Row>('SELECT openid, session_key, unionid, updated_at FROM sessions WHERE openid = ?');

  return {
    async save(record) {
      upsert.run(record.openid, record.sessionKey, record.unionid ?? null, record.updatedAt);
    },
    async get(openid) {
      const row = select.get(openid);
      if (!row) return undefined;
      const record: SessionRecord = { openid: row.openid, sessionKey: row.session_key, updatedAt: row.updated_at };
      if (row.unionid !== null) record.unionid = row.unionid;
      return record;
    },
    close() {
      db.close();
    },
  };
}
