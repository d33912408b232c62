/**
 * The developer server's own login state (自定义登录态): a short-lived HS256
 * JWT whose subject is the openid. It deliberately carries no session_key:
 * the client may read a JWT's payload, and session_key must never leave the
 * server.
 *
 * HS256 is HMAC-SHA-256 over `header.payload` (RFC 7518 §3.2), which WebCrypto
 * computes natively in the browser and in Node 20: the simulator and the
 * companion sign the very same way, and no JWT library ships to the page. The
 * key is imported once per issuer, because importing it again for every
 * request was most of what GET /api/me cost.
 */
import * as v from 'valibot';
import type { Clock } from '../support/clock.ts';

export interface LoginTokenClaims {
  openid: string;
}

export type TokenVerification =
  | {
      ok: true;
      claims: LoginTokenClaims;
      /** The token's `exp`, in seconds since the epoch. */
      expiresAt: number;
    }
  | { ok: false; reason: 'expired' | 'invalid' };

export interface LoginTokenIssuer {
  readonly lifetimeSeconds: number;
  issue(claims: LoginTokenClaims): Promise<string>;
  verify(token: string): Promise<TokenVerification>;
}

export interface LoginTokenOptions {
  secret: Uint8Array;
  clock: Clock;
  lifetimeSeconds: number;
  issuer?: string;
}

/** Expired from the `exp` second on: RFC 7519 §4.1.4 refuses a token "on or after" it. */
export const isExpired = (exp: number, clock: Clock) => exp <= Math.floor(clock.now() / 1000);

const HMAC_SHA256 = { name: 'HMAC', hash: 'SHA-256' } as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Only HS256 is accepted, whatever the token says: `none` or another algorithm never reaches the signature check. */
const headerSchema = v.looseObject({
  alg: v.literal('HS256'),
  // A critical extension is one this verifier would have to understand, and it understands none (RFC 7515 §4.1.11).
  crit: v.optional(v.never()),
});

/** A token can be correctly signed and still carry claims of the wrong type (a leaked key, an old issuer): check them too. */
const claimsSchema = (issuer: string) =>
  v.looseObject({
    iss: v.literal(issuer),
    sub: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    exp: v.number(),
    iat: v.optional(v.number()),
    nbf: v.optional(v.number()),
  });

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Unpadded base64url in its one canonical spelling, or null: atob would
 * accept stray trailing bits, so two spellings of one signature would verify.
 */
function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return base64UrlEncode(bytes) === text ? bytes : null;
}

/** A base64url segment holding a JSON object, or null. */
function decodeJsonSegment(segment: string): unknown {
  const bytes = base64UrlDecode(segment);
  if (!bytes) return null;
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
}

const encodeJsonSegment = (value: object) => base64UrlEncode(encoder.encode(JSON.stringify(value)));

/** `{"alg":"HS256","typ":"JWT"}`: the same for every token, so encoded once. */
const HEADER = encodeJsonSegment({ alg: 'HS256', typ: 'JWT' });

export function createLoginTokenIssuer(options: LoginTokenOptions): LoginTokenIssuer {
  const { clock, lifetimeSeconds } = options;
  const issuer = options.issuer ?? 'miniprogram-lab';
  if (options.secret.byteLength < 32) throw new Error('the token secret must be at least 32 bytes for HS256');
  // A copy: the key is imported on first use, and the caller's array may change before then.
  const secret = new Uint8Array(options.secret);
  const claims = claimsSchema(issuer);

  let key: Promise<CryptoKey> | undefined;
  const hmacKey = () => (key ??= globalThis.crypto.subtle.importKey('raw', secret, HMAC_SHA256, false, ['sign', 'verify']));

  return {
    lifetimeSeconds,
    async issue({ openid }) {
      const issuedAt = Math.floor(clock.now() / 1000);
      const signingInput = `${HEADER}.${encodeJsonSegment({ sub: openid, iss: issuer, iat: issuedAt, exp: issuedAt + lifetimeSeconds })}`;
      const signature = await globalThis.crypto.subtle.sign('HMAC', await hmacKey(), encoder.encode(signingInput));
      return `${signingInput}.${base64UrlEncode(new Uint8Array(signature))}`;
    },
    async verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3) return { ok: false, reason: 'invalid' };
      const [header, payload, signature] = parts as [string, string, string];
      const signatureBytes = base64UrlDecode(signature);
      if (!signatureBytes || !v.is(headerSchema, decodeJsonSegment(header))) return { ok: false, reason: 'invalid' };
      // subtle.verify compares in constant time, so the comparison leaks nothing about the expected signature.
      const signed = await globalThis.crypto.subtle.verify('HMAC', await hmacKey(), signatureBytes, encoder.encode(`${header}.${payload}`));
      if (!signed) return { ok: false, reason: 'invalid' };

      const parsed = v.safeParse(claims, decodeJsonSegment(payload));
      if (!parsed.success) return { ok: false, reason: 'invalid' };
      if (parsed.output.nbf !== undefined && parsed.output.nbf > Math.floor(clock.now() / 1000)) return { ok: false, reason: 'invalid' };
      if (isExpired(parsed.output.exp, clock)) return { ok: false, reason: 'expired' };
      return { ok: true, claims: { openid: parsed.output.sub }, expiresAt: parsed.output.exp };
    },
  };
}
