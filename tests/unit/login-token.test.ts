/**
 * The HS256 login token on WebCrypto, checked against jose, an independent
 * JWT implementation: what one signs the other must accept, byte for byte,
 * and every way of bending a token is refused without throwing.
 */
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLoginTokenIssuer } from '../../src/world/developer/login-token.ts';
import { VirtualClock } from '../../src/world/support/clock.ts';

const SECRET = new TextEncoder().encode('a-test-secret-that-is-32-bytes-long!');
const ISSUER = 'miniprogram-lab-companion';
const LIFETIME = 600;

function setup() {
  const clock = new VirtualClock();
  const tokens = createLoginTokenIssuer({ secret: SECRET, clock, lifetimeSeconds: LIFETIME, issuer: ISSUER });
  return { clock, tokens, now: () => Math.floor(clock.now() / 1000) };
}

/** A token signed by jose, with the claims our issuer writes unless overridden. */
function joseToken(now: number, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = SECRET) {
  return new SignJWT({ sub: 'oUser', iss: ISSUER, iat: now, exp: now + LIFETIME, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(key);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the login token', () => {
  it('is the very token jose signs for the same claims', async () => {
    const { tokens, now } = setup();
    const ours = await tokens.issue({ openid: 'oUser' });
    const theirs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('oUser')
      .setIssuer(ISSUER)
      .setIssuedAt(now())
      .setExpirationTime(now() + LIFETIME)
      .sign(SECRET);
    expect(ours).toBe(theirs);
    expect(decodeProtectedHeader(ours)).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('verifies with jose, and jose-signed tokens verify here', async () => {
    const { clock, tokens, now } = setup();
    const { payload } = await jwtVerify(await tokens.issue({ openid: 'o中文-id' }), SECRET, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      currentDate: new Date(clock.now()),
    });
    expect(payload).toEqual({ sub: 'o中文-id', iss: ISSUER, iat: now(), exp: now() + LIFETIME });
    expect(await tokens.verify(await joseToken(now()))).toEqual({ ok: true, claims: { openid: 'oUser' }, expiresAt: now() + LIFETIME });
  });

  it('is valid until the second before exp and expired from exp on', async () => {
    const { clock, tokens } = setup();
    const token = await tokens.issue({ openid: 'oUser' });
    clock.advance((LIFETIME - 1) * 1000);
    expect(await tokens.verify(token)).toMatchObject({ ok: true });
    clock.advance(1000);
    expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it.each([
    ['another key', () => ({ key: new TextEncoder().encode('another-secret-that-is-also-32-bytes!') })],
    ['another issuer', () => ({ claims: { iss: 'someone-else' } })],
    ['no issuer', () => ({ claims: { iss: undefined } })],
    ['no exp', () => ({ claims: { exp: undefined } })],
    ['a string exp', () => ({ claims: { exp: '9999999999' } })],
    ['a string iat', () => ({ claims: { iat: 'now' } })],
    ['nbf in the future', (now: () => number) => ({ claims: { nbf: now() + 60 } })],
    ['a numeric sub', () => ({ claims: { sub: 12345 } })],
    ['an empty sub', () => ({ claims: { sub: '' } })],
    ['a 129-character sub', () => ({ claims: { sub: 'o'.repeat(129) } })],
    ['a critical header extension', () => ({ header: { crit: ['exp'], exp: 1 } })],
  ])('is invalid when correctly signed with %s', async (_name, variant) => {
    const { tokens, now } = setup();
    const { claims = {}, header = {}, key = SECRET } = variant(now) as {
      claims?: Record<string, unknown>;
      header?: Record<string, unknown>;
      key?: Uint8Array<ArrayBuffer>;
    };
    // The jose builder refuses a `crit` it does not know, so that one header is spliced in by hand.
    const token = header.crit
      ? await forgeHeader(await joseToken(now(), claims, {}, key), header)
      : await joseToken(now(), claims, header, key);
    expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses alg none and other HMAC algorithms signed with the same secret', async () => {
    const { tokens, now } = setup();
    const valid = await joseToken(now());
    const unsigned = `${b64url('{"alg":"none","typ":"JWT"}')}.${valid.split('.')[1]}.`;
    const hs512 = await new SignJWT({ sub: 'oUser', iss: ISSUER, exp: now() + 60 }).setProtectedHeader({ alg: 'HS512' }).sign(SECRET);
    for (const token of [unsigned, hs512]) expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses an edited payload and a second spelling of the same signature', async () => {
    const { tokens } = setup();
    const token = await tokens.issue({ openid: 'oUser' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const edited = `${header}.${b64url(atob(payload.replace(/-/g, '+').replace(/_/g, '/')).replace('oUser', 'oOther'))}.${signature}`;
    // 32 bytes leave 2 unused bits in the last character: flipping them decodes to the same bytes.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${header}.${payload}.${signature.slice(0, -1)}${last[last.indexOf(signature.at(-1)!) ^ 1]}`;
    for (const forged of [edited, respelled]) expect(await tokens.verify(forged)).toEqual({ ok: false, reason: 'invalid' });
  });

  it.each(['', 'a.b', 'a.b.c.d', '..', 'e30.e30.', '!!.??.##', 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.AAAA', `${'A'.repeat(5)}.${'B'.repeat(5)}.${'C'.repeat(5)}`])(
    'answers %j with invalid, never an exception',
    async (token) => {
      const { tokens } = setup();
      expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'invalid' });
    },
  );

  it('imports the key once, however many tokens it signs and checks', async () => {
    const importKey = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    const { tokens } = setup();
    for (let i = 0; i < 5; i++) expect(await tokens.verify(await tokens.issue({ openid: `o${i}` }))).toMatchObject({ ok: true });
    expect(importKey).toHaveBeenCalledTimes(1);
  });

  it('keeps its own copy of the secret', async () => {
    const secret = SECRET.slice();
    const clock = new VirtualClock();
    const tokens = createLoginTokenIssuer({ secret, clock, lifetimeSeconds: LIFETIME, issuer: ISSUER });
    secret.fill(0);
    expect(await tokens.verify(await joseToken(Math.floor(clock.now() / 1000)))).toMatchObject({ ok: true });
  });

  it('refuses a secret shorter than the digest', () => {
    expect(() => createLoginTokenIssuer({ secret: new Uint8Array(31), clock: new VirtualClock(), lifetimeSeconds: 60 })).toThrow(/32 bytes/);
  });
});

function b64url(binary: string): string {
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The same token with its header replaced and re-signed, for a header jose will not produce. */
async function forgeHeader(token: string, header: Record<string, unknown>): Promise<string> {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', ...header }))}.${token.split('.')[1]}`;
  const key = await crypto.subtle.importKey('raw', SECRET, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input)));
  return `${input}.${b64url(String.fromCharCode(...signature))}`;
}
