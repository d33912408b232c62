/**
 * Remembers which login tokens verified. A mini program sends the same token
 * with every request until it expires, so checking its signature once per
 * token instead of once per request halves what GET /api/me costs; Envoy's
 * JWT filter does the same (jwt_cache_config). It changes no answer:
 * - only tokens that verified are kept, keyed by the whole token, so a forged
 *   or altered token is another string and is checked in full every time;
 * - a token's signature and claims never change, and the key is fixed for the
 *   process, so a token that verified once verifies again, until it expires;
 * - expiry is checked on every use, against the server's clock.
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../../src/world/support/clock.ts';
import type { LoginTokenIssuer, TokenVerification } from '../../../src/world/developer/login-token.ts';

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
        if (result.ok) verified.set(token, result);
        return result;
      }
      // The same rule as the issuer's: a token is expired from its exp second on.
      if (known.expiresAt > Math.floor(clock.now() / 1000)) return known;
      verified.delete(token);
      return { ok: false, reason: 'expired' };
    },
  };
}
