/**
 * The developer server's own login state (自定义登录态): a short-lived HS256
 * JWT whose subject is the openid. It deliberately carries no session_key:
 * the client may read a JWT's payload, and session_key must never leave the
 * server. jose runs on WebCrypto, so the simulator and the companion sign
 * the very same way.
 */
import { SignJWT, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Clock } from '../support/clock.ts';

export interface LoginTokenClaims {
  openid: string;
}

export type TokenVerification =
  | { ok: true; claims: LoginTokenClaims }
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

const ALGORITHM = 'HS256';

/** A token can be correctly signed and still carry claims of the wrong type (a leaked key, an old issuer): check them too. */
const claimsSchema = z.object({ sub: z.string().min(1).max(128), exp: z.number() });

export function createLoginTokenIssuer(options: LoginTokenOptions): LoginTokenIssuer {
  const { secret, clock, lifetimeSeconds } = options;
  const issuer = options.issuer ?? 'miniprogram-lab';
  if (secret.byteLength < 32) throw new Error('the token secret must be at least 32 bytes for HS256');

  return {
    lifetimeSeconds,
    async issue({ openid }) {
      const issuedAt = Math.floor(clock.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(openid)
        .setIssuer(issuer)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + lifetimeSeconds)
        .sign(secret);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, secret, {
          algorithms: [ALGORITHM],
          issuer,
          currentDate: new Date(clock.now()),
          requiredClaims: ['sub', 'exp'],
        });
        const claims = claimsSchema.safeParse(payload);
        return claims.success ? { ok: true, claims: { openid: claims.data.sub } } : { ok: false, reason: 'invalid' };
      } catch (error) {
        return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
      }
    },
  };
}
