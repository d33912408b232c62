import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  WeChatCryptoError,
  base64ToBytes,
  bytesToBase64,
  decryptWeChatData,
  encryptWeChatData,
  randomBase64,
  sha1Signature,
  signLoginState,
  type WeChatCryptoStep,
} from '../../src/world/support/crypto.ts';

// WeChat's official WXBizDataCrypt demo vector, as copied into
// binarywang/WxJava weixin-java-miniapp/src/test/java/cn/binarywang/wx/miniapp/util/crypt/WxMaCryptUtilsTest.java
const OFFICIAL = {
  appId: 'wx4f4bc4dec97d474b',
  sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==',
  iv: 'r7BXXKkLb8qrSNn05n0qiA==',
  encryptedData:
    'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==',
};

const CJK = /[\u4e00-\u9fff]/;

/** Runs `fn`, insists it rejects with a WeChatCryptoError, and returns that error for further checks. */
async function cryptoError(fn: () => Promise<unknown>): Promise<WeChatCryptoError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WeChatCryptoError);
  const error = thrown as WeChatCryptoError;
  // Bilingual: Chinese first, then " / " and English.
  const [zh, en] = error.message.split(' / ');
  expect(zh).toMatch(CJK);
  expect(en).toMatch(/[A-Za-z]{3,}/);
  expect(en).not.toMatch(CJK);
  return error;
}

async function expectFailure(
  fn: () => Promise<unknown>,
  code: number,
  step: WeChatCryptoStep,
): Promise<WeChatCryptoError> {
  const error = await cryptoError(fn);
  expect({ code: error.code, step: error.step }).toEqual({ code, step });
  return error;
}

/** Ciphertext of arbitrary bytes, produced outside our module so tests can feed it any plaintext. */
function nodeEncrypt(key: string, iv: string, plaintext: string | Buffer): string {
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(key, 'base64'), Buffer.from(iv, 'base64'));
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
}

function nodeDecrypt(key: string, iv: string, encryptedData: string): string {
  const decipher = createDecipheriv('aes-128-cbc', Buffer.from(key, 'base64'), Buffer.from(iv, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(encryptedData, 'base64')), decipher.final()]).toString('utf8');
}

const PAYLOADS: Record<string, unknown>[] = [
  { phoneNumber: '13580006666', purePhoneNumber: '13580006666', countryCode: '86' },
  { openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE', nickName: '微信用户', gender: 0, city: '广州' },
  {},
  { exactly: 'x'.repeat(16 * 8) },
  { nested: { list: [1, 2, 3], emoji: '🎉', nul: null } },
];

describe('official known-answer vectors', () => {
  it('decrypts the WXBizDataCrypt demo encryptedData', async () => {
    const data = await decryptWeChatData(OFFICIAL);
    expect(data).toMatchObject({
      openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE',
      nickName: 'Band',
      gender: 1,
      watermark: { appid: 'wx4f4bc4dec97d474b', timestamp: 1477314187 },
    });
  });

  it('signs the login state with HMAC-SHA256 keyed by the session_key string', async () => {
    expect(await signLoginState('o0q0otL8aEzpcZL/FT9WsQ==', '{"foo":"bar"}')).toBe(
      '654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b',
    );
  });

  it('computes the getUserInfo sha1(rawData + session_key) signature', async () => {
    const rawData =
      '{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}';
    expect(await sha1Signature(rawData, 'HyVFkGl5F5OQWJZZaNzBBg==')).toBe('75e81ceda165f4ffa64f4068af58c64b8f54b88c');
  });
});

describe('round trip', () => {
  it.each(PAYLOADS.map((p) => [JSON.stringify(p), p] as const))('encrypt → decrypt %s', async (_, data) => {
    const sessionKey = randomBase64(16);
    const { encryptedData, iv } = await encryptWeChatData({ appId: 'wxapp', sessionKey, data, timestamp: 1700000000 });
    expect(base64ToBytes(iv)).toHaveLength(16);
    expect(await decryptWeChatData({ appId: 'wxapp', sessionKey, encryptedData, iv })).toEqual({
      ...data,
      watermark: { timestamp: 1700000000, appid: 'wxapp' },
    });
  });

  it('uses the given iv and draws a fresh one otherwise', async () => {
    const sessionKey = randomBase64(16);
    const iv = randomBase64(16);
    const base = { appId: 'wxapp', sessionKey, data: { a: 1 }, timestamp: 1 };
    const fixed1 = await encryptWeChatData({ ...base, iv });
    const fixed2 = await encryptWeChatData({ ...base, iv });
    expect(fixed1).toEqual(fixed2);
    expect(fixed1.iv).toBe(iv);
    const random1 = await encryptWeChatData(base);
    const random2 = await encryptWeChatData(base);
    expect(random1.iv).not.toBe(random2.iv);
    expect(random1.encryptedData).not.toBe(random2.encryptedData);
  });

  it('puts the watermark last, overriding any watermark in data', async () => {
    const sessionKey = randomBase64(16);
    const { encryptedData, iv } = await encryptWeChatData({
      appId: 'wxreal',
      sessionKey,
      data: { watermark: { appid: 'wxfake' }, x: 1 },
      timestamp: 42,
    });
    expect(nodeDecrypt(sessionKey, iv, encryptedData)).toBe('{"x":1,"watermark":{"timestamp":42,"appid":"wxreal"}}');
  });
});

describe('cross-check with node:crypto', () => {
  it.each(PAYLOADS.map((p) => [JSON.stringify(p), p] as const))('ours → node and node → ours for %s', async (_, data) => {
    const sessionKey = randomBytes(16).toString('base64');
    const iv = randomBytes(16).toString('base64');

    const ours = await encryptWeChatData({ appId: 'wxapp', sessionKey, iv, data, timestamp: 1 });
    const expectedJson = JSON.stringify({ ...data, watermark: { timestamp: 1, appid: 'wxapp' } });
    expect(nodeDecrypt(sessionKey, iv, ours.encryptedData)).toBe(expectedJson);

    const theirs = nodeEncrypt(sessionKey, iv, expectedJson);
    expect(theirs).toBe(ours.encryptedData);
    expect(await decryptWeChatData({ appId: 'wxapp', sessionKey, iv, encryptedData: theirs })).toEqual(
      JSON.parse(expectedJson),
    );
  });
});

describe('base64 helpers', () => {
  it('round-trips every byte value, including lengths that need padding', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const length of [0, 1, 2, 3, 16, 255, 256]) {
      const bytes = all.subarray(0, length);
      const encoded = bytesToBase64(bytes);
      expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(encoded)).toEqual(Uint8Array.from(bytes));
    }
  });

  it('handles inputs larger than one fromCharCode chunk', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i * 7);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it.each([
    ['missing padding', 'QQ'],
    ['url-safe alphabet', 'ab-_'],
    ['inner whitespace', 'QU JD'],
    ['trailing newline', 'QUJD\n'],
    ['non-canonical trailing bits', 'QR=='],
    ['padding in the middle', 'QQ==QUJD'],
  ])('rejects %s', (_, input) => {
    expect(() => base64ToBytes(input)).toThrow(SyntaxError);
  });

  it('randomBase64 encodes the requested number of random bytes', () => {
    expect(base64ToBytes(randomBase64(16))).toHaveLength(16);
    expect(randomBase64(16)).not.toBe(randomBase64(16));
  });
});

describe('decryptWeChatData failures', () => {
  const decrypt = (overrides: Partial<typeof OFFICIAL>) => () => decryptWeChatData({ ...OFFICIAL, ...overrides });

  it.each([
    ['too short', 'tiihtNczf5v6AKRyjwEU', 'got 20 chars'],
    ['too long (24 bytes)', 'tiihtNczf5v6AKRyjwEUhQAAAAAAAAAA', 'got 32 chars'],
    ['24 chars but not base64', 'tiihtNczf5v6AKRyjwEUh*==', 'not valid Base64'],
    ['24 chars, 18 bytes, no padding', 'tiihtNczf5v6AKRyjwEUhQAA', 'got 24 chars decoding to 18 bytes'],
    ['empty', '', 'got 0 chars'],
  ])('session_key %s → -41001', async (_, sessionKey, english) => {
    const error = await expectFailure(decrypt({ sessionKey }), -41001, 'sessionKey');
    expect(error.message).toContain('session_key 必须是 16 字节数据的 Base64（24 个字符）');
    expect(error.message).toContain('session_key must be Base64 of 16 bytes (24 chars)');
    expect(error.message).toContain(english);
  });

  it('reproduces the documented message for a 20-char session_key', async () => {
    const error = await expectFailure(decrypt({ sessionKey: 'tiihtNczf5v6AKRyjwEU' }), -41001, 'sessionKey');
    expect(error.message).toBe(
      'session_key 必须是 16 字节数据的 Base64（24 个字符），收到 20 个字符 / session_key must be Base64 of 16 bytes (24 chars); got 20 chars',
    );
  });

  it('a space in the session_key was copied in: session_key never travels through a query string', async () => {
    const error = await expectFailure(decrypt({ sessionKey: 'tiihtNczf5v6AKRyjwEUhQ=='.replace('5', ' ') }), -41001, 'sessionKey');
    expect(error.message).toContain('空格');
    expect(error.message).toContain('copied');
    expect(error.message).not.toContain('query string');
    // The iv does travel from the mini program to the server, so for it the + is the likely cause.
    const ivError = await expectFailure(decrypt({ iv: 'r7BXXKkLb8qrSNn05n0q+A=='.replace('+', ' ') }), -41002, 'iv');
    expect(ivError.message).toContain('query string');
  });

  it.each([
    ['too short', 'r7BXXKkLb8qrSNn05n0q'],
    ['not base64', 'r7BXXKkLb8qrSNn05n0q!A=='],
    ['8 bytes', 'r7BXXKkLb8o='],
  ])('iv %s → -41002', async (_, iv) => {
    const error = await expectFailure(decrypt({ iv }), -41002, 'iv');
    expect(error.message).toContain('iv 必须是 16 字节数据的 Base64');
    expect(error.message).toContain('iv must be Base64 of 16 bytes');
  });

  it('checks session_key before iv, as the official sample does', async () => {
    await expectFailure(decrypt({ sessionKey: 'x', iv: 'y' }), -41001, 'sessionKey');
  });

  it('non-base64 encryptedData → -41003', async () => {
    const error = await expectFailure(decrypt({ encryptedData: '%%%not base64%%%' }), -41003, 'encryptedData.base64');
    expect(error.message).toContain('encryptedData 不是合法的 Base64');
  });

  it('a "+" turned into a space → -41003 with a query-string hint', async () => {
    const encryptedData = OFFICIAL.encryptedData.replaceAll('+', ' ');
    expect(encryptedData).not.toBe(OFFICIAL.encryptedData);
    const error = await expectFailure(decrypt({ encryptedData }), -41003, 'encryptedData.base64');
    expect(error.message).toContain('+ 在 URL 查询串中未编码');
    expect(error.message).toContain('"+" sent unencoded in a query string');
  });

  it('base64 with embedded line breaks → -41003 (atob would have accepted it)', async () => {
    const encryptedData = OFFICIAL.encryptedData.replace(/(.{64})/g, '$1\n');
    await expectFailure(decrypt({ encryptedData }), -41003, 'encryptedData.base64');
  });

  it.each([
    ['truncated to 100 bytes', bytesToBase64(base64ToBytes(OFFICIAL.encryptedData).subarray(0, 100)), '100'],
    ['empty', '', '0'],
  ])('ciphertext %s → -41003 blocks', async (_, encryptedData, bytes) => {
    const error = await expectFailure(decrypt({ encryptedData }), -41003, 'encryptedData.blocks');
    expect(error.message).toContain(`${bytes} bytes`);
  });

  it('wrong keys always end as -41003 (padding, or json when padding is valid by chance)', async () => {
    const seen = new Set<WeChatCryptoStep>();
    for (let i = 0; i < 600; i++) {
      const error = await cryptoError(decrypt({ sessionKey: randomBase64(16) }));
      expect(error.code).toBe(-41003);
      expect(['padding', 'json']).toContain(error.step);
      seen.add(error.step);
    }
    expect(seen).toContain('padding');
  });

  it('wrong keys whose garbage plaintext happens to have valid padding → -41003 json', async () => {
    // Find such keys deterministically with node:crypto instead of hoping the random loop hits one.
    const cipher = Buffer.from(OFFICIAL.encryptedData, 'base64');
    const found: string[] = [];
    while (found.length < 5) {
      const key = randomBytes(16).toString('base64');
      const decipher = createDecipheriv('aes-128-cbc', Buffer.from(key, 'base64'), Buffer.from(OFFICIAL.iv, 'base64'));
      try {
        decipher.update(cipher);
        decipher.final();
        found.push(key);
      } catch {
        // bad padding: the common case, not what this test is after
      }
    }
    for (const sessionKey of found) {
      await expectFailure(decrypt({ sessionKey }), -41003, 'json');
    }
  });

  it('valid ciphertext of non-JSON plaintext → -41003 json', async () => {
    const sessionKey = randomBase64(16);
    const iv = randomBase64(16);
    const encryptedData = nodeEncrypt(sessionKey, iv, 'hello, not json');
    await expectFailure(() => decryptWeChatData({ appId: 'wxapp', sessionKey, iv, encryptedData }), -41003, 'json');
  });

  it('valid ciphertext of invalid UTF-8 → -41003 json', async () => {
    const sessionKey = randomBase64(16);
    const iv = randomBase64(16);
    const encryptedData = nodeEncrypt(sessionKey, iv, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    await expectFailure(() => decryptWeChatData({ appId: 'wxapp', sessionKey, iv, encryptedData }), -41003, 'json');
  });

  it.each(['[1,2,3]', 'null', '"string"', '42'])('JSON that is not an object (%s) → -41003 json', async (json) => {
    const sessionKey = randomBase64(16);
    const iv = randomBase64(16);
    const encryptedData = nodeEncrypt(sessionKey, iv, json);
    await expectFailure(() => decryptWeChatData({ appId: 'wxapp', sessionKey, iv, encryptedData }), -41003, 'json');
  });

  it.each([
    ['no watermark', { openId: 'x' }],
    ['watermark is a string', { openId: 'x', watermark: 'wxapp' }],
  ])('JSON with %s → -41003 watermark', async (_, payload) => {
    const sessionKey = randomBase64(16);
    const iv = randomBase64(16);
    const encryptedData = nodeEncrypt(sessionKey, iv, JSON.stringify(payload));
    const error = await expectFailure(
      () => decryptWeChatData({ appId: 'wxapp', sessionKey, iv, encryptedData }),
      -41003,
      'watermark',
    );
    expect(error.message).toContain('watermark');
  });

  it('appid mismatch → -41003 appid, naming both appids', async () => {
    const error = await expectFailure(decrypt({ appId: 'wx0000000000000000' }), -41003, 'appid');
    expect(error.message).toContain('"wx4f4bc4dec97d474b"');
    expect(error.message).toContain('"wx0000000000000000"');
  });

  it('watermark without appid → -41003 appid', async () => {
    const sessionKey = randomBase64(16);
    const iv = randomBase64(16);
    const encryptedData = nodeEncrypt(sessionKey, iv, JSON.stringify({ watermark: { timestamp: 1 } }));
    await expectFailure(() => decryptWeChatData({ appId: 'wxapp', sessionKey, iv, encryptedData }), -41003, 'appid');
  });

  it('errors are proper Error instances carrying a cause where WebCrypto or JSON failed', async () => {
    const error = await cryptoError(decrypt({ sessionKey: randomBase64(16) }));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WeChatCryptoError');
    expect(error.cause).toBeDefined();
  });
});

describe('encryptWeChatData failures', () => {
  const base = { appId: 'wxapp', data: {}, timestamp: 1 };

  it('rejects a bad session_key with -41001', async () => {
    await expectFailure(() => encryptWeChatData({ ...base, sessionKey: 'short' }), -41001, 'sessionKey');
  });

  it('rejects a bad iv with -41002', async () => {
    await expectFailure(
      () => encryptWeChatData({ ...base, sessionKey: randomBase64(16), iv: randomBase64(12) }),
      -41002,
      'iv',
    );
  });
});
