import { describe, expect, it } from 'vitest';
import { formatDeepLink, MAX_LINK_STEPS, parseDeepLink, stepsInLink, withDeepLink } from '../../src/kit/engine/deep-link.ts';

const known = new Set(['next', 'login', 'plus-6m']);

describe('deep link', () => {
  it('round-trips a list of steps', () => {
    const steps = ['login', 'next', 'plus-6m', 'next'];
    expect(parseDeepLink(formatDeepLink(steps), known)).toEqual({ kind: 'steps', steps });
    expect(parseDeepLink(formatDeepLink([]), known)).toEqual({ kind: 'steps', steps: [] });
  });

  it('treats a missing value as a fresh start, not an error', () => {
    expect(parseDeepLink(null, known)).toEqual({ kind: 'empty' });
    expect(parseDeepLink('', known)).toEqual({ kind: 'empty' });
  });

  it.each([
    ['2.login', '格式版本'],
    ['login.next', '格式版本'],
    ['1.login.<script>alert(1)</script>', '第 2 步'],
    ['1.login.unknown', '第 2 步'],
    ['1.LOGIN', '第 1 步'],
    ['1..next', '第 1 步'],
    ['1.next.', '第 2 步'],
    [`1${'.next'.repeat(MAX_LINK_STEPS + 1)}`, '超过'],
    // Long ids put this one over the length limit before its steps are counted: it still says there are too many.
    [`1${'.share-b-102-long-enough-id'.repeat(2 * MAX_LINK_STEPS)}`, '超过'],
    ['1.' + 'x'.repeat(8000), '链接太长'],
  ])('reports %j as invalid (%s)', (raw, reason) => {
    const parsed = parseDeepLink(raw, known);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.reason).toContain(reason);
  });

  it('never throws, whatever the input', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = '1.-aznextlogin%<>"\'&;\u0000\u2028中';
    for (let i = 0; i < 2000; i++) {
      const raw = Array.from({ length: Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(() => parseDeepLink(raw, known)).not.toThrow();
    }
  });

  it('writes only its own parameter and keeps the rest of the URL', () => {
    expect(withDeepLink('https://x.test/login/?a=1#toc', 'login', ['login', 'next'])).toBe('/login/?a=1&login=1.login.next#toc');
    // What the shared link's notice counts before the simulator restores it, valid or not.
    expect(stepsInLink(formatDeepLink(['login', 'next', 'next']))).toBe(3);
    expect([null, '', '1', '%%%'].map(stepsInLink)).toEqual([0, 0, 0, 0]);
    expect(withDeepLink('https://x.test/login/?login=1.next&a=1', 'login', [])).toBe('/login/?a=1');
  });
});
