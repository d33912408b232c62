/**
 * Remembering verified login tokens must change how often a signature is
 * checked, never what a request is told: every answer here is compared with
 * the issuer's own answer for the same token at the same moment.
 */
import { describe, expect, it, vi } from 'vitest';
import { createLoginTokenIssuer } from '../../src/world/developer/login-token.ts';
import { VirtualClock } from '../../src/world/support/clock.ts';
import { rememberVerifiedTokens } from '../server/src/verified-tokens.ts';
import { TOKEN_SECRET } from './helpers.ts';

const LIFETIME = 600;

function setup(max = 100) {
  const clock = new VirtualClock();
  const issuer = createLoginTokenIssuer({ secret: new TextEncoder().encode(TOKEN_SECRET), clock, lifetimeSeconds: LIFETIME });
  const checks = vi.spyOn(issuer, 'verify');
  const tokens = rememberVerifiedTokens(issuer, { clock, max });
  return { clock, issuer, checks, tokens };
}

/** The same token with one character of its signature changed. */
const tamper = (token: string) => token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);

describe('remembered login tokens', () => {
  it('check a token’s signature once, and answer as the issuer does every time', async () => {
    const { clock, issuer, checks, tokens } = setup();
    const token = await tokens.issue({ openid: 'oUser' });
    for (let i = 0; i < 3; i++) {
      clock.advance(60_000);
      const expected = await issuer.verify(token);
      expect(await tokens.verify(token)).toEqual(expected);
      expect(expected).toMatchObject({ ok: true, claims: { openid: 'oUser' } });
    }
    // Three answers compared above, each reaching the issuer once for `expected`; the remembered side reached it once in all.
    expect(checks).toHaveBeenCalledTimes(3 + 1);
  });

  it('still expire a remembered token at its exp second, like the issuer', async () => {
    const { clock, issuer, checks, tokens } = setup();
    const token = await tokens.issue({ openid: 'oUser' });
    expect(await tokens.verify(token)).toMatchObject({ ok: true });
    // The last millisecond before exp, then exp itself.
    clock.advance(LIFETIME * 1000 - 1);
    expect(await tokens.verify(token)).toMatchObject({ ok: true });
    expect(await issuer.verify(token)).toMatchObject({ ok: true });
    clock.advance(1);
    expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(await issuer.verify(token)).toEqual({ ok: false, reason: 'expired' });
    // And stays expired: the entry is gone, so the issuer is asked again and says so too.
    checks.mockClear();
    expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('hand out an answer no caller can change for the next one', async () => {
    const { tokens } = setup();
    const token = await tokens.issue({ openid: 'oUser' });
    for (let i = 0; i < 2; i++) {
      const answer = await tokens.verify(token);
      if (!answer.ok) throw new Error('the token should verify');
      expect(() => Object.assign(answer.claims, { openid: 'oSomeoneElse' })).toThrow(TypeError);
      expect(() => Object.assign(answer, { expiresAt: Number.MAX_SAFE_INTEGER })).toThrow(TypeError);
    }
    expect(await tokens.verify(token)).toMatchObject({ ok: true, claims: { openid: 'oUser' } });
  });

  it('never remember a token that failed, so an altered one is checked in full every time', async () => {
    const { checks, tokens } = setup();
    const token = await tokens.issue({ openid: 'oUser' });
    expect(await tokens.verify(token)).toMatchObject({ ok: true });
    const forged = tamper(token);
    for (let i = 0; i < 3; i++) expect(await tokens.verify(forged)).toEqual({ ok: false, reason: 'invalid' });
    expect(checks).toHaveBeenCalledTimes(1 + 3);
  });

  it('keep at most max tokens, and check a forgotten one again', async () => {
    const { checks, tokens } = setup(2);
    const [a, b, c] = await Promise.all(['oA', 'oB', 'oC'].map((openid) => tokens.issue({ openid })));
    for (const token of [a!, b!, c!]) await tokens.verify(token);
    expect(checks).toHaveBeenCalledTimes(3);
    expect(await tokens.verify(c!)).toMatchObject({ claims: { openid: 'oC' } });
    expect(checks).toHaveBeenCalledTimes(3);
    expect(await tokens.verify(a!)).toMatchObject({ claims: { openid: 'oA' } });
    expect(checks).toHaveBeenCalledTimes(4);
  });
});
