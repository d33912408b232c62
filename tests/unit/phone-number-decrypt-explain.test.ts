import { describe, expect, it } from 'vitest';
import { explainDecrypt, makeSample } from '../../src/lib/decrypt-explain.ts';
import { encryptWeChatData, randomBase64 } from '../../src/world/support/crypto.ts';

const statuses = (steps: { status: string }[]) => steps.map((s) => s.status).join(',');

describe('decrypt-it-yourself panel logic', () => {
  it('a generated sample is a real round trip', async () => {
    const sample = await makeSample(Date.UTC(2026, 0, 1));
    expect(sample.sessionKey).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const result = await explainDecrypt(sample);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data).toEqual(sample.plain);
    expect((result.data.watermark as { timestamp: number }).timestamp).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(statuses(result.steps)).toBe('ok,ok,ok,ok,ok,ok');
  });

  it('two samples use different keys', async () => {
    const [a, b] = await Promise.all([makeSample(), makeSample()]);
    expect(a.sessionKey).not.toBe(b.sessionKey);
    expect(a.appId).toMatch(/^wx[0-9a-f]{16}$/);
  });

  it('a wrong session_key fails at the AES step (-41003) and blames the rotation', async () => {
    const sample = await makeSample();
    const result = await explainDecrypt({ ...sample, sessionKey: randomBase64(16) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(-41003);
    // 1 time in 256 the padding passes by chance and the JSON step catches it instead.
    expect(['aes', 'json']).toContain(result.failed);
    expect(result.cause).toMatch(/session_key/);
    expect(result.steps.slice(0, 3).every((s) => s.status === 'ok')).toBe(true);
  });

  it.each([
    ['a short session_key', { sessionKey: 'abc' }, 'sessionKey', -41001, 'failed,skipped,skipped,skipped,skipped,skipped'],
    ['a mangled iv', { iv: 'AAAAAAAAAA AAAAAAAAAAA==' }, 'iv', -41002, 'ok,failed,skipped,skipped,skipped,skipped'],
    ['a space where a + was', { encryptedData: 'AAAA AAA' }, 'encryptedData', -41003, 'ok,ok,failed,skipped,skipped,skipped'],
    ['a truncated encryptedData', { encryptedData: 'AAAAAAAA' }, 'encryptedData', -41003, 'ok,ok,failed,skipped,skipped,skipped'],
    ['another app id', { appId: 'wxsomeoneelse' }, 'appid', -41003, 'ok,ok,ok,ok,ok,failed'],
  ])('%s fails at step %s', async (_name, change, failed, code, expected) => {
    const sample = await makeSample();
    const result = await explainDecrypt({ ...sample, ...change });
    expect(result).toMatchObject({ ok: false, failed, code });
    expect(statuses(result.steps)).toBe(expected);
    if (!result.ok) expect(result.message).not.toContain(' / ');
  });

  it('the space hint shows up when a + was lost', async () => {
    const result = await explainDecrypt({ ...(await makeSample()), encryptedData: 'ab cd' });
    expect(result.ok || result.message).toContain('空格');
  });

  it('data without a watermark is refused at the last step', async () => {
    const sessionKey = randomBase64(16);
    const iv = randomBase64(16);
    const key = await crypto.subtle.importKey('raw', Uint8Array.from(atob(sessionKey), (c) => c.charCodeAt(0)), 'AES-CBC', false, ['encrypt']);
    const cipher = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: Uint8Array.from(atob(iv), (c) => c.charCodeAt(0)) }, key, new TextEncoder().encode('{"a":1}'));
    const encryptedData = btoa(String.fromCharCode(...new Uint8Array(cipher)));
    const result = await explainDecrypt({ appId: 'wx1', sessionKey, iv, encryptedData });
    expect(result).toMatchObject({ ok: false, failed: 'appid' });
    // A sanity check that encryptWeChatData would have added one.
    const ok = await encryptWeChatData({ appId: 'wx1', sessionKey, iv, data: { a: 1 }, timestamp: 1 });
    expect(await explainDecrypt({ appId: 'wx1', sessionKey, ...ok })).toMatchObject({ ok: true });
  });
});
