/**
 * session_key at rest: AES-256-GCM with a random 12-byte IV per row and the
 * row's openid as additional data, so a sealed value copied onto another
 * user's row fails to open instead of decrypting as theirs.
 *
 * Sealed format: iv (12 bytes) ‖ ciphertext ‖ tag (16 bytes), stored beside
 * the id of the key that sealed it.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { EncryptionKey } from './config.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Ids of keys derived from TOKEN_SECRET start with this; config ids cannot (they come first in the ring anyway). */
export const DEV_KEY_PREFIX = 'dev-';

export interface SessionCipher {
  /** The id new rows are sealed with. */
  readonly currentKeyId: string;
  has(keyId: string): boolean;
  seal(openid: string, sessionKey: string): { keyId: string; sealed: Buffer };
  open(openid: string, keyId: string, sealed: Buffer): string;
}

export function createSessionCipher(keys: readonly EncryptionKey[]): SessionCipher {
  const [current] = keys;
  if (!current) throw new Error('at least one session_key encryption key is needed');
  const byId = new Map(keys.map(({ id, key }) => [id, key]));

  return {
    currentKeyId: current.id,
    has: (keyId) => byId.has(keyId),
    seal(openid, sessionKey) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(openid, 'utf8'));
      const body = Buffer.concat([cipher.update(sessionKey, 'utf8'), cipher.final()]);
      return { keyId: current.id, sealed: Buffer.concat([iv, body, cipher.getAuthTag()]) };
    },
    open(openid, keyId, sealed) {
      const key = byId.get(keyId);
      if (!key) throw new Error(`session_key sealed with key id ${keyId}, which is not configured`);
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed session_key is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(openid, 'utf8'));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      // final() throws if the tag does not match: a tampered row, a moved row, or the wrong key.
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * For the emulator only: a key derived from TOKEN_SECRET, so offline play
 * needs no extra variable. Its id names the derivation, and the server logs
 * a warning whenever it is in use.
 */
export function deriveDevKey(tokenSecret: string): EncryptionKey {
  const key = Buffer.from(hkdfSync('sha256', tokenSecret, 'miniprogram-lab-companion', 'session_key at rest (development only)', 32));
  const fingerprint = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return { id: `${DEV_KEY_PREFIX}${fingerprint}`, key };
}
