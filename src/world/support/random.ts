/**
 * Where the world's secrets and identifiers come from. The simulator uses a
 * seeded source so that replaying a deep link yields the very same codes and
 * keys; servers use the platform CSPRNG.
 */
export interface RandomSource {
  bytes(length: number): Uint8Array;
}

/** splitmix32: tiny, fast and good enough for reproducible demo values (never for real secrets). */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  return {
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}

export const cryptoRandom: RandomSource = {
  bytes(length) {
    return globalThis.crypto.getRandomValues(new Uint8Array(length));
  },
};

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** An identifier drawn from [0-9A-Za-z]; the modulo bias is irrelevant for ids. */
export function randomId(random: RandomSource, length: number, alphabet = ALPHANUMERIC): string {
  let id = '';
  for (const byte of random.bytes(length)) id += alphabet[byte % alphabet.length];
  return id;
}

export function randomBase64Bytes(random: RandomSource, length: number): string {
  let binary = '';
  for (const byte of random.bytes(length)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A seed from a name (FNV-1a), so each chapter's world draws its own values:
 * a session_key in one chapter never reappears as an iv in another.
 */
export function seedFrom(name: string): number {
  let hash = 0x811c9dc5;
  for (const char of name) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
