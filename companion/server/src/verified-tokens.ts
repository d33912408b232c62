/**
 * Remembers which login tokens verified. A mini program sends the same token
 * with every request until it expires, so checking its signature once per
 * token instead of once per request halved the CPU GET /api/me used per
 * request in a trial; Envoy's JWT filter (jwt_cache_config) and PostgREST
 * (jwt-cache-max-lifetime) do the same. It changes no answer:
 * - only tokens that verified are kept, keyed by the whole token, so a forged
 *   or altered token is another string and is checked in full every time;
 * - a token's signature and claims never change, and the key is fixed for the
 *   process, so a token that verified once verifies again, until it expires;
 * - expiry is checked on every use, against the server's clock, by the issuer's rule;
 * - what is handed out is frozen, so no caller can change the next one's answer.
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../../src/world/support/clock.ts';
import { isExpired, type LoginTokenIssuer, type TokenVerification } from '../../../src/world/developer/login-token.ts';

export interface RememberOptions {
  clock: Clock;
  /** How many tokens to keep: the least recently used go first, and a token that is gone is simply checked again. */
  max: number;
}

type Verified = Extract<TokenVerification, { ok: true }>;

export function rememberVerifiedTokens(tokens: LoginTokenIssuer, { clock, max }: RememberOptions): LoginTokenIssuer {
  const verified = new LRUCache<string, Verified>({ max });
  return {
    ...tokens,
    async verify(token) {
      const known = verified.get(token);
      if (!known) {
        const result = await tokens.verify(token);
        if (!result.ok) return result;
        const kept = Object.freeze({ ...result, claims: Object.freeze({ ...result.claims }) });
        verified.set(token, kept);
        return kept;
      }
      if (!isExpired(known.expiresAt, clock)) return known;
      verified.delete(token);
      return { ok: false, reason: 'expired' };
    },
  };
}
