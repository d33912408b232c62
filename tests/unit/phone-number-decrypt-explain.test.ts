import { describe, expect, it } from 'vitest';
import { decryptCbcRaw, explainDecrypt, makeSample, type DecryptExplanation } from '../../src/chapters/phone-number/decrypt-explain.ts';
import { base64ToBytes, bytesToBase64, encryptWeChatData, randomBase64 } from '../../src/world/support/crypto.ts';

const statuses = (steps: { status: string }[]) => steps.map((s) => s.status).join(',');

// A fixed sample, so every tampering case below runs on the same real bytes.
const APP_ID = 'wx0123456789abcdef';
const SESSION_KEY = bytesToBase64(Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1));
const IV = bytesToBase64(Uint8Array.from({ length: 16 }, (_, i) => 200 - i * 3));
const PHONE = { phoneNumber: '13580006666', purePhoneNumber: '13580006666', countryCode: '86' };
const { encryptedData: ENCRYPTED } = await encryptWeChatData({ appId: APP_ID, sessionKey: SESSION_KEY, iv: IV, data: PHONE, timestamp: 1_700_000_000 });
const sample = { appId: APP_ID, sessionKey: SESSION_KEY, iv: IV, encryptedData: ENCRYPTED };
const PLAIN_LENGTH = JSON.stringify({ ...PHONE, watermark: { timestamp: 1_700_000_000, appid: APP_ID } }).length;
const CIPHER_LENGTH = base64ToBytes(ENCRYPTED).length;
const BLOCKS = CIPHER_LENGTH / 16;
const PAD = CIPHER_LENGTH - PLAIN_LENGTH;

/** Flip bits of one byte of a Base64 value, as a change in transit would. */
function flipByte(value: string, index: number, mask: number): string {
  const bytes = base64ToBytes(value);
  bytes[index] = (bytes[index] ?? 0) ^ mask;
  return bytesToBase64(bytes);
}

/** Replace one Base64 character, as a reader editing the field would. */
function editChar(value: string, index: number): string {
  const c = value[index] === 'A' ? 'B' : 'A';
  return value.slice(0, index) + c + value.slice(index + 1);
}

function failure(result: DecryptExplanation) {
  if (result.ok) throw new Error('expected decryption to fail');
  if (!result.cbc) throw new Error('expected a CBC diagnosis');
  return { ...result, cbc: result.cbc };
}

const looksOf = (...garbledOrOff: [number, 'garbled' | 'fewBytesOff'][]) => {
  const looks = Array.from({ length: BLOCKS }, () => 'text');
  for (const [block, look] of garbledOrOff) looks[block - 1] = look;
  return looks;
};

describe('decrypt-it-yourself panel logic', () => {
  it('the fixed sample spans several blocks, with room for text in the last one', () => {
    expect(BLOCKS).toBeGreaterThanOrEqual(6);
    // Cases below flip a byte in the last block's text and in its padding; both must exist.
    expect(PAD).toBeGreaterThan(1);
    expect(PAD).toBeLessThan(15);
  });

  it('a generated sample is a real round trip', async () => {
    const generated = await makeSample(Date.UTC(2026, 0, 1));
    expect(generated.sessionKey).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const result = await explainDecrypt(generated);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data).toEqual(generated.plain);
    expect((result.data.watermark as { timestamp: number }).timestamp).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(statuses(result.steps)).toBe('ok,ok,ok,ok,ok,ok');
  });

  it('two samples use different keys', async () => {
    const [a, b] = await Promise.all([makeSample(), makeSample()]);
    expect(a.sessionKey).not.toBe(b.sessionKey);
    expect(a.appId).toMatch(/^wx[0-9a-f]{16}$/);
  });

  it('the raw CBC decryption returns the plaintext with its padding, unchecked', async () => {
    const raw = await decryptCbcRaw(base64ToBytes(SESSION_KEY), base64ToBytes(IV), base64ToBytes(ENCRYPTED));
    expect(raw.length).toBe(CIPHER_LENGTH);
    expect(new TextDecoder().decode(raw.subarray(0, PLAIN_LENGTH))).toContain('"purePhoneNumber":"13580006666"');
    expect([...raw.subarray(PLAIN_LENGTH)]).toEqual(Array.from({ length: PAD }, () => PAD));
  });

  describe('a changed ciphertext byte garbles its block and flips one byte of the next', () => {
    it('near the start: block 1 garbled, block 2 one byte off; the key is not blamed', async () => {
      const result = failure(await explainDecrypt({ ...sample, encryptedData: flipByte(ENCRYPTED, 3, 0x80) }));
      expect(result.failed).toBe('json');
      expect(result.cbc.paddingValid).toBe(true);
      expect(result.cbc.looks).toEqual(looksOf([1, 'garbled'], [2, 'fewBytesOff']));
      expect(result.cause).toContain('第 1 个分组是乱码');
      expect(result.cause).toContain('第 1–16 字节');
      expect(result.cause).toContain('session_key 是对的');
      expect(result.cause).not.toContain('1/256');
      expect(result.cbc.cannotTell).toBeUndefined();
      expect(result.steps.find((s) => s.id === 'json')?.detail).toContain('填充有效');
    });

    it('near the start, when the flipped byte stays readable: iv and the first 16 bytes cannot be told apart', async () => {
      // The reader's own experiment: edit one Base64 character near the start.
      const result = failure(await explainDecrypt({ ...sample, encryptedData: editChar(ENCRYPTED, 5) }));
      expect(result.failed).toBe('json');
      expect(result.cbc.looks[0]).toBe('garbled');
      expect(result.cbc.looks.slice(2)).toEqual(looksOf().slice(2));
      if (result.cbc.looks[1] === 'text') {
        expect(result.cbc.cannotTell).toMatch(/iv 不对.*前 16 字节/);
      } else {
        expect(result.cause).toContain('第 1–16 字节');
      }
      expect(result.cause).not.toContain('1/256');
      // The flip that keeps block 2 printable is the ambiguous case; make sure it is covered.
      const readable = failure(await explainDecrypt({ ...sample, encryptedData: flipByte(ENCRYPTED, 3, 0x01) }));
      expect(readable.cbc.looks).toEqual(looksOf([1, 'garbled']));
      expect(readable.cbc.cannotTell).toMatch(/iv 不对.*前 16 字节/);
    });

    it('in the middle: that block garbled, padding intact, so the data decrypts but is not JSON', async () => {
      const result = failure(await explainDecrypt({ ...sample, encryptedData: flipByte(ENCRYPTED, 3 * 16 + 5, 0x80) }));
      expect(result.failed).toBe('json');
      expect(result.cbc.paddingValid).toBe(true);
      expect(result.cbc.looks).toEqual(looksOf([4, 'garbled'], [5, 'fewBytesOff']));
      expect(result.cause).toContain('第 4 个分组是乱码');
      expect(result.cause).toContain('第 49–64 字节（Base64 的第 65–86 个字符）');
      expect(result.cause).toContain('能解密，但不是 JSON');
      expect(result.cbc.preview).toContain('·');
    });

    it('cut on a block boundary: every block reads, the padding is missing, and the panel says so, not "not JSON"', async () => {
      const cut = bytesToBase64(base64ToBytes(ENCRYPTED).slice(0, CIPHER_LENGTH - 16));
      const result = failure(await explainDecrypt({ ...sample, encryptedData: cut }));
      expect(result.failed).toBe('aes');
      // Every block reads; the last has lost its padding, so it counts as a few bytes off.
      expect(result.cbc.looks).toEqual([...Array.from({ length: BLOCKS - 2 }, () => 'text'), 'fewBytesOff']);
      expect(result.cause).toContain('在分组边界上被截断');
      expect(result.cause).not.toContain('JSON');
    });

    it('in the last block: the padding breaks, yet every other block reads, so the key is right', async () => {
      const result = failure(await explainDecrypt({ ...sample, encryptedData: flipByte(ENCRYPTED, CIPHER_LENGTH - 4, 0x80) }));
      expect(result.failed).toBe('aes');
      expect(result.cbc.paddingValid).toBe(false);
      expect(result.cbc.looks).toEqual(looksOf([BLOCKS, 'garbled']));
      expect(result.cause).toContain(`第 ${BLOCKS} 个分组是乱码`);
      expect(result.cause).toContain('最后两个分组');
      expect(result.cause).toContain('session_key 是对的');
      expect(result.steps.find((s) => s.id === 'aes')?.detail).toBe('最后一个分组的结尾不是合法的 PKCS#7 填充');
    });

    it('in the second-to-last block, under the padding: the padding breaks too', async () => {
      const result = failure(await explainDecrypt({ ...sample, encryptedData: flipByte(ENCRYPTED, CIPHER_LENGTH - 17, 0x80) }));
      expect(result.failed).toBe('aes');
      expect(result.cbc.looks).toEqual(looksOf([BLOCKS - 1, 'garbled'], [BLOCKS, 'fewBytesOff']));
      expect(result.cause).toContain(`第 ${BLOCKS - 1} 个分组是乱码`);
      expect(result.cause).toContain('最后两个分组');
    });

    it('in the second-to-last block, under the text: the padding survives', async () => {
      const result = failure(await explainDecrypt({ ...sample, encryptedData: flipByte(ENCRYPTED, CIPHER_LENGTH - 32, 0x80) }));
      expect(result.failed).toBe('json');
      expect(result.cbc.paddingValid).toBe(true);
      expect(result.cbc.looks).toEqual(looksOf([BLOCKS - 1, 'garbled'], [BLOCKS, 'fewBytesOff']));
      expect(result.cause).toContain('能解密，但不是 JSON');
    });
  });

  it('two changes far apart name both places', async () => {
    const twice = flipByte(flipByte(ENCRYPTED, 2 * 16 + 1, 0x80), 5 * 16 + 9, 0x80);
    const result = failure(await explainDecrypt({ ...sample, encryptedData: twice }));
    expect(result.cbc.looks).toEqual(looksOf([3, 'garbled'], [4, 'fewBytesOff'], [6, 'garbled'], [7, 'fewBytesOff']));
    expect(result.cause).toContain('第 3 个、第 6 个分组是乱码');
    expect(result.cause).toContain('第 33–48 字节');
    expect(result.cause).toContain('第 81–96 字节');
  });

  it('readable text that is not JSON is not blamed on the key or the iv', async () => {
    const key = await crypto.subtle.importKey('raw', base64ToBytes(SESSION_KEY), 'AES-CBC', false, ['encrypt']);
    const text = new TextEncoder().encode('phoneNumber=13580006666&purePhoneNumber=13580006666');
    const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: base64ToBytes(IV) }, key, text));
    const result = failure(await explainDecrypt({ ...sample, encryptedData: bytesToBase64(cipher) }));
    expect(result.failed).toBe('json');
    expect(result.cbc.looks.every((look) => look === 'text')).toBe(true);
    expect(result.cause).toContain('不是合法的 JSON');
    expect(result.cause).toContain('session_key 是对的');
  });

  describe('the iv only enters the first block', () => {
    it('a different iv garbles block 1 alone; it cannot be told from a change in the first 16 bytes', async () => {
      const result = failure(await explainDecrypt({ ...sample, iv: bytesToBase64(new Uint8Array(16).fill(0x5a)) }));
      expect(result.failed).toBe('json');
      expect(result.cbc.looks).toEqual(looksOf([1, 'garbled']));
      expect(result.cause).toContain('iv 只参与第 1 个分组');
      expect(result.cause).toContain('session_key 是对的');
      expect(result.cause).not.toContain('1/256');
      expect(result.cbc.cannotTell).toContain('不是同一次回调');
    });

    it('a flipped iv bit can leave valid JSON: decryption "succeeds", and the field names give it away', async () => {
      // Byte 2 of block 1 is the "p" of {"phoneNumber":; flipping 0x20 in the iv makes it "P".
      const result = await explainDecrypt({ ...sample, iv: flipByte(IV, 2, 0x20) });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(Object.keys(result.data)).toContain('PhoneNumber');
      expect(result.warning).toContain('缺少手机号数据应有的字段：phoneNumber');
      expect(result.warning).toContain('多出的字段：PhoneNumber');
      expect(result.warning).toContain('iv 被改动');
      // The untouched sample carries no warning.
      expect(await explainDecrypt(sample)).not.toHaveProperty('warning');
    });

    it('a field WeChat adds later is no reason to warn: the docs say the decrypted JSON may gain fields', async () => {
      const { encryptedData } = await encryptWeChatData({ appId: APP_ID, sessionKey: SESSION_KEY, iv: IV, data: { ...PHONE, newField: 1 }, timestamp: 1_700_000_000 });
      const result = await explainDecrypt({ ...sample, encryptedData });
      expect(result.ok).toBe(true);
      expect(result).not.toHaveProperty('warning');
    });

    it('one edited iv character leaves block 1 a byte or two off, and names the iv alone', async () => {
      const result = failure(await explainDecrypt({ ...sample, iv: editChar(IV, 2) }));
      expect(result.failed).toBe('json');
      expect(result.cbc.looks).toEqual(looksOf([1, 'fewBytesOff']));
      expect(result.cause).toContain('iv 被改动了一两个字节');
      expect(result.cbc.cannotTell).toBeUndefined();
    });
  });

  describe('a wrong session_key garbles every block', () => {
    it('and almost always breaks the padding', async () => {
      const result = failure(await explainDecrypt({ ...sample, sessionKey: 'AAAAAAAAAAAAAAAAAAAAAA==' }));
      expect(result.code).toBe(-41003);
      expect(result.failed).toBe('aes');
      expect(result.cbc.paddingValid).toBe(false);
      expect(result.cbc.looks).toEqual(Array.from({ length: BLOCKS }, () => 'garbled'));
      expect(result.cause).toContain(`全部 ${BLOCKS} 个分组都是乱码`);
      expect(result.cause).toContain('wx.login');
      expect(result.cbc.cannotTell).toContain('另一次登录');
      expect(statuses(result.steps)).toBe('ok,ok,ok,failed,skipped,skipped');
    });

    it('and about 1 time in 256 leaves valid padding by chance, so JSON parsing is where it shows', async () => {
      // Try wrong keys in a fixed order until one happens to end in valid padding: a real one, not a forged result.
      let lucky: string | undefined;
      for (let i = 1; i < 5000 && !lucky; i++) {
        const key = bytesToBase64(Uint8Array.from({ length: 16 }, (_, j) => (i >> (8 * (j % 2))) & 0xff));
        const raw = await decryptCbcRaw(base64ToBytes(key), base64ToBytes(IV), base64ToBytes(ENCRYPTED));
        const last = raw[raw.length - 1] ?? 0;
        if (last >= 1 && last <= 16 && raw.subarray(raw.length - last).every((b) => b === last)) lucky = key;
      }
      expect(lucky).toBeDefined();
      const result = failure(await explainDecrypt({ ...sample, sessionKey: lucky! }));
      expect(result.failed).toBe('json');
      expect(result.cbc.paddingValid).toBe(true);
      expect(result.cbc.looks.every((look) => look === 'garbled')).toBe(true);
      expect(result.cause).toContain('碰巧像合法的 PKCS#7 填充');
      expect(result.cause).toContain('1/256');
    });
  });

  it.each([
    ['a short session_key', { sessionKey: 'abc' }, 'sessionKey', -41001, 'failed,skipped,skipped,skipped,skipped,skipped'],
    ['a mangled iv', { iv: 'AAAAAAAAAA AAAAAAAAAAA==' }, 'iv', -41002, 'ok,failed,skipped,skipped,skipped,skipped'],
    ['a space where a + was', { encryptedData: 'AAAA AAA' }, 'encryptedData', -41003, 'ok,ok,failed,skipped,skipped,skipped'],
    ['a truncated encryptedData', { encryptedData: 'AAAAAAAA' }, 'encryptedData', -41003, 'ok,ok,failed,skipped,skipped,skipped'],
    ['another app id', { appId: 'wxsomeoneelse' }, 'appid', -41003, 'ok,ok,ok,ok,ok,failed'],
  ])('%s fails at step %s', async (_name, change, failed, code, expected) => {
    const result = await explainDecrypt({ ...sample, ...change });
    expect(result).toMatchObject({ ok: false, failed, code });
    expect(statuses(result.steps)).toBe(expected);
    if (!result.ok) {
      expect(result.message).not.toContain(' / ');
      // Only AES failures get a block reading; these fail before or after it.
      expect(result.cbc).toBeUndefined();
    }
  });

  it('the space hint shows up when a + was lost', async () => {
    const result = await explainDecrypt({ ...sample, encryptedData: 'ab cd' });
    expect(result.ok || result.message).toContain('空格');
  });

  it('a single-block ciphertext says it cannot separate the causes', async () => {
    const key = await crypto.subtle.importKey('raw', base64ToBytes(SESSION_KEY), 'AES-CBC', false, ['encrypt']);
    const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: base64ToBytes(IV) }, key, new TextEncoder().encode('{"a":1}')));
    const result = failure(await explainDecrypt({ ...sample, iv: bytesToBase64(new Uint8Array(16).fill(0x5a)), encryptedData: bytesToBase64(cipher) }));
    expect(result.cbc.looks).toHaveLength(1);
    expect(result.cbc.cannotTell).toContain('分不出');
  });

  it('data without a watermark is refused at the last step', async () => {
    const sessionKey = randomBase64(16);
    const iv = randomBase64(16);
    const key = await crypto.subtle.importKey('raw', base64ToBytes(sessionKey), 'AES-CBC', false, ['encrypt']);
    const cipher = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: base64ToBytes(iv) }, key, new TextEncoder().encode('{"a":1}'));
    const encryptedData = bytesToBase64(new Uint8Array(cipher));
    const result = await explainDecrypt({ appId: 'wx1', sessionKey, iv, encryptedData });
    expect(result).toMatchObject({ ok: false, failed: 'appid' });
    // A sanity check that encryptWeChatData would have added one.
    const ok = await encryptWeChatData({ appId: 'wx1', sessionKey, iv, data: { a: 1 }, timestamp: 1 });
    expect(await explainDecrypt({ appId: 'wx1', sessionKey, ...ok })).toMatchObject({ ok: true });
  });
});
