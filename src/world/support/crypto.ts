/**
 * WeChat open-data cryptography (encryptedData / iv / session_key) and the
 * two session_key signatures, on WebCrypto only so the very same code runs in
 * the browser simulator, in Node 20 and on a server.
 *
 * Error codes follow WeChat's official WXBizDataCrypt sample
 * (IllegalAesKey / IllegalIv / IllegalBuffer), so a reader can map what the
 * simulator says onto what their own backend SDK would report.
 */

export const WECHAT_CRYPTO_CODES = {
  illegalAesKey: -41001,
  illegalIv: -41002,
  illegalBuffer: -41003,
} as const;

export type WeChatCryptoCode = (typeof WECHAT_CRYPTO_CODES)[keyof typeof WECHAT_CRYPTO_CODES];

export type WeChatCryptoStep =
  | 'sessionKey'
  | 'iv'
  | 'encryptedData.base64'
  | 'encryptedData.blocks'
  | 'padding'
  | 'json'
  | 'watermark'
  | 'appid';

export class WeChatCryptoError extends Error {
  override readonly name = 'WeChatCryptoError';
  readonly code: WeChatCryptoCode;
  readonly step: WeChatCryptoStep;

  constructor(step: WeChatCryptoStep, message: string, options?: ErrorOptions) {
    super(message, options);
    this.step = step;
    this.code =
      step === 'sessionKey'
        ? WECHAT_CRYPTO_CODES.illegalAesKey
        : step === 'iv'
          ? WECHAT_CRYPTO_CODES.illegalIv
          : WECHAT_CRYPTO_CODES.illegalBuffer;
  }
}

// ---------------------------------------------------------------------------
// Base64

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * atob is lenient (it strips whitespace and ignores stray trailing bits), so
 * it would quietly "repair" a value that was mangled in transit; re-encoding
 * and comparing rejects every non-canonical spelling.
 */
function decodeStrict(s: string): Uint8Array<ArrayBuffer> | null {
  if (!STRICT_BASE64.test(s)) return null;
  const binary = atob(s);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytesToBase64(bytes) === s ? bytes : null;
}

/** Standard alphabet with `=` padding only; throws on anything else. */
export function base64ToBytes(s: string): Uint8Array<ArrayBuffer> {
  const bytes = decodeStrict(s);
  if (!bytes) throw new SyntaxError(`不是合法的 Base64${spaceHint(s).zh} / Not valid Base64${spaceHint(s).en}`);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked because spreading a large array into fromCharCode overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function randomBase64(byteLength: number): string {
  return bytesToBase64(globalThis.crypto.getRandomValues(new Uint8Array(byteLength)));
}

// ---------------------------------------------------------------------------
// Messages (Chinese first, then English)

/**
 * Unencoded `+` in a query string arrives as a space: the most common way real encryptedData and iv break.
 * session_key never travels through the mini program, so a space in it was copied in.
 */
function spaceHint(s: string, travelled = true): { zh: string; en: string } {
  if (!s.includes(' ')) return { zh: '', en: '' };
  return travelled
    ? {
        zh: '；其中含有空格，可能是 + 在 URL 查询串中未编码而被解码成了空格',
        en: '; it contains a space, probably a "+" sent unencoded in a query string',
      }
    : { zh: '；其中含有空格，多半是复制时带进来的', en: '; it contains a space, probably copied in by mistake' };
}

function fail(step: WeChatCryptoStep, zh: string, en: string, cause?: unknown): never {
  throw new WeChatCryptoError(step, `${zh} / ${en}`, cause === undefined ? undefined : { cause });
}

/** session_key and iv share one shape: Base64 of 16 bytes, i.e. 24 characters ending in `==`. */
function decode16(step: 'sessionKey' | 'iv', value: string): Uint8Array<ArrayBuffer> {
  const bytes = decodeStrict(value);
  if (bytes?.length === 16) return bytes;
  const name = step === 'sessionKey' ? 'session_key' : 'iv';
  const hint = spaceHint(value, step === 'iv');
  // Length first, like the official sample's strlen check; it is also the likeliest slip.
  const [zhGot, enGot] =
    value.length !== 24
      ? [`收到 ${value.length} 个字符`, `got ${value.length} chars`]
      : bytes
        ? [`收到的 24 个字符解码后是 ${bytes.length} 字节`, `got 24 chars decoding to ${bytes.length} bytes`]
        : ['收到的 24 个字符不是合法的 Base64', 'got 24 chars that are not valid Base64'];
  return fail(
    step,
    `${name} 必须是 16 字节数据的 Base64（24 个字符），${zhGot}${hint.zh}`,
    `${name} must be Base64 of 16 bytes (24 chars); ${enGot}${hint.en}`,
  );
}

// ---------------------------------------------------------------------------
// AES-128-CBC

function importAesKey(key: Uint8Array<ArrayBuffer>, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', key, 'AES-CBC', false, [usage]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface DecryptInput {
  appId: string;
  sessionKey: string;
  encryptedData: string;
  iv: string;
}

// #region decrypt
export async function decryptWeChatData({
  appId,
  sessionKey,
  encryptedData,
  iv,
}: DecryptInput): Promise<Record<string, unknown>> {
  const keyBytes = decode16('sessionKey', sessionKey);
  const ivBytes = decode16('iv', iv);

  const cipher = decodeStrict(encryptedData);
  if (!cipher) {
    const hint = spaceHint(encryptedData);
    fail(
      'encryptedData.base64',
      `encryptedData 不是合法的 Base64${hint.zh}`,
      `encryptedData is not valid Base64${hint.en}`,
    );
  }
  if (cipher.length === 0 || cipher.length % 16 !== 0) {
    fail(
      'encryptedData.blocks',
      `encryptedData 解码后的长度必须是 16 字节的整数倍且不为空，实际是 ${cipher.length} 字节，可能被截断了`,
      `encryptedData must decode to a non-empty multiple of 16 bytes; got ${cipher.length} bytes (truncated?)`,
    );
  }

  let plain: ArrayBuffer;
  try {
    const key = await importAesKey(keyBytes, 'decrypt');
    plain = await globalThis.crypto.subtle.decrypt({ name: 'AES-CBC', iv: ivBytes }, key, cipher);
  } catch (cause) {
    // WebCrypto gives no detail here. A wrong iv garbles only the first block, so with more than one block
    // the padding survives it: this is almost always the session_key, now and then a cut or edited tail.
    return fail(
      'padding',
      'PKCS#7 填充校验失败：多半是 session_key 与加密时不一致（例如已被新的 wx.login 刷新），少数情况是密文结尾被截断或改动',
      'PKCS#7 padding check failed: most likely session_key differs from the one used to encrypt (e.g. renewed by a later wx.login); now and then the end of the ciphertext was cut or edited',
      cause,
    );
  }

  // A wrong key still passes the padding check about 1 time in 256, so the
  // resulting garbage has to be caught here as -41003. Fatal decoding makes
  // non-UTF-8 bytes an error instead of silently becoming U+FFFD.
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch (cause) {
    return fail(
      'json',
      '解密结果不是 UTF-8 JSON：多半是 iv 或 encryptedData 被改动，少数情况是 session_key 不对、填充却碰巧有效（这种巧合约 1/256）',
      'decrypted bytes are not UTF-8 JSON: most likely the iv or encryptedData was altered; now and then a wrong session_key whose padding happened to be valid (about 1 in 256)',
      cause,
    );
  }
  if (!isPlainObject(data)) {
    fail('json', '解密结果不是 JSON 对象', 'decrypted JSON is not an object');
  }

  const { watermark } = data;
  if (!isPlainObject(watermark)) {
    fail('watermark', '解密结果缺少 watermark 字段', 'decrypted data has no watermark');
  }
  if (watermark.appid !== appId) {
    const got = JSON.stringify(watermark.appid) ?? 'undefined';
    fail(
      'appid',
      `watermark.appid 是 ${got}，与 AppID ${JSON.stringify(appId)} 不一致：这份数据是发给另一个小程序的`,
      `watermark.appid is ${got}, not this mini program's AppID "${appId}": the data was issued to another app`,
    );
  }
  return data;
}
// #endregion

export interface EncryptInput {
  appId: string;
  sessionKey: string;
  data: Record<string, unknown>;
  /** Base64 of 16 bytes; a fresh random one when omitted, as WeChat does for every call. */
  iv?: string;
  /** Unix seconds, as WeChat puts it in watermark.timestamp. */
  timestamp: number;
}

export async function encryptWeChatData({
  appId,
  sessionKey,
  data,
  iv = randomBase64(16),
  timestamp,
}: EncryptInput): Promise<{ encryptedData: string; iv: string }> {
  const keyBytes = decode16('sessionKey', sessionKey);
  const ivBytes = decode16('iv', iv);
  // WeChat's payloads end with the watermark; deleting first keeps it last even if data had one.
  const payload: Record<string, unknown> = { ...data };
  delete payload.watermark;
  payload.watermark = { timestamp, appid: appId };
  const plain = new TextEncoder().encode(JSON.stringify(payload));
  const key = await importAesKey(keyBytes, 'encrypt');
  const cipher = await globalThis.crypto.subtle.encrypt({ name: 'AES-CBC', iv: ivBytes }, key, plain);
  return { encryptedData: bytesToBase64(new Uint8Array(cipher)), iv };
}

// ---------------------------------------------------------------------------
// Signatures

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * 用户登录态签名 (checkSessionKey, server-side APIs): HMAC-SHA256 keyed with
 * the session_key *string itself*, not its decoded 16 bytes.
 */
export async function signLoginState(sessionKey: string, message: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(sessionKey),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return toHex(await globalThis.crypto.subtle.sign('HMAC', key, encoder.encode(message)));
}

/** getUserInfo's `signature`: sha1(rawData + session_key), proving rawData came from WeChat. */
export async function sha1Signature(rawData: string, sessionKey: string): Promise<string> {
  return toHex(await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(rawData + sessionKey)));
}
