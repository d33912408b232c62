/**
 * The "decrypt it yourself" panel's logic, apart from React: run WeChat's
 * open-data decryption (crypto.ts, the same code the simulated server uses)
 * and turn its outcome into the official algorithm's steps, marking the one
 * that failed. When AES-CBC itself goes wrong (bad padding, or a plaintext
 * that is not JSON), it decrypts again without the padding check and reads
 * which 16-byte blocks came out garbled: that pattern, not a guess, says
 * whether the session_key, the iv or the ciphertext was wrong, and which of
 * those the bytes cannot tell apart. Browser-safe: WebCrypto only, nothing is
 * sent anywhere.
 */
import {
  base64ToBytes,
  decryptWeChatData,
  encryptWeChatData,
  randomBase64,
  WeChatCryptoError,
  type DecryptInput,
  type WeChatCryptoStep,
} from '../../world/support/crypto.ts';

export type StepId = 'sessionKey' | 'iv' | 'encryptedData' | 'aes' | 'json' | 'appid';

export interface ExplainedStep {
  id: StepId;
  title: string;
  status: 'ok' | 'failed' | 'skipped';
  /** What happened at this step, for this input. */
  detail: string;
}

/** How one 16-byte block of the decrypted (unpadded) plaintext reads. */
export type BlockLook = 'text' | 'fewBytesOff' | 'garbled';

/** What the garbled blocks of a failed AES-CBC decryption point at. */
export interface CbcDiagnosis {
  looks: BlockLook[];
  /** The plaintext with every unreadable byte shown as `·`, blocks separated by `│`. */
  preview: string;
  /** Whether the raw plaintext ends in valid PKCS#7 padding. */
  paddingValid: boolean;
  cause: string;
  /** Causes that would produce exactly these bytes, which the panel therefore cannot separate. */
  cannotTell?: string;
}

export type DecryptExplanation =
  | {
      ok: true;
      steps: ExplainedStep[];
      data: Record<string, unknown>;
      /** Set when the data decrypted and its watermark matched, yet it is not shaped like WeChat's phone number. */
      warning?: string;
    }
  | {
      ok: false;
      steps: ExplainedStep[];
      code: number;
      failed: StepId;
      message: string;
      cause: string;
      /** Present when AES-CBC itself failed: what the decrypted blocks show. */
      cbc?: CbcDiagnosis;
    };

const STEP_TITLES: Record<StepId, string> = {
  sessionKey: 'aeskey = Base64_Decode(session_key)，必须是 16 字节',
  iv: 'iv = Base64_Decode(iv)，必须是 16 字节',
  encryptedData: '密文 = Base64_Decode(encryptedData)，长度是 16 的整数倍',
  aes: 'AES-128-CBC 解密，校验并去掉 PKCS#7 填充',
  json: '明文按 UTF-8 解析成 JSON 对象',
  appid: '核对 watermark.appid 等于填入的 AppID',
};

const ORDER: StepId[] = ['sessionKey', 'iv', 'encryptedData', 'aes', 'json', 'appid'];

const STEP_OF: Record<WeChatCryptoStep, StepId> = {
  sessionKey: 'sessionKey',
  iv: 'iv',
  'encryptedData.base64': 'encryptedData',
  'encryptedData.blocks': 'encryptedData',
  padding: 'aes',
  json: 'json',
  watermark: 'appid',
  appid: 'appid',
};

/** Causes for the steps that fail before or after AES; the AES steps get a CbcDiagnosis instead. */
const CAUSES: Record<Exclude<WeChatCryptoStep, 'padding' | 'json'>, string> = {
  sessionKey: 'session_key 抄错了、多了空格或换行，或者把 code、openid 当成了 session_key。',
  iv: 'iv 不是 24 个字符的合法 Base64：复制时漏了或多了字符，或者在传输中被改动，比如 + 在 URL 查询串里没编码，被服务器解码成了空格。',
  'encryptedData.base64': 'encryptedData 在传输中被改动：+ 变成空格、被 URL 编码两次，或者复制时带上了引号和换行。',
  'encryptedData.blocks': 'encryptedData 不完整：复制时只复制了一部分，或者在传递过程中被截断了。',
  watermark: '解出来的 JSON 没有 watermark，不像是微信加密的手机号数据。',
  appid: '解出的数据属于另一个 AppID：先看上面填的 AppID 是不是这份数据所属的小程序；在自己的服务器上，常见于开发者工具的项目 AppID 与服务器配置不一致。',
};

const BLOCK = 16;

function byteLength(value: string): number | null {
  try {
    return base64ToBytes(value).length;
  } catch {
    return null;
  }
}

function okDetail(id: StepId, input: DecryptInput, data?: Record<string, unknown>): string {
  switch (id) {
    case 'sessionKey':
      return '24 个字符，解码得到 16 字节密钥';
    case 'iv':
      return '24 个字符，解码得到 16 字节';
    case 'encryptedData': {
      const n = byteLength(input.encryptedData) ?? 0;
      return `${input.encryptedData.length} 个字符，解码得到 ${n} 字节（${n / BLOCK} 个分组）`;
    }
    case 'aes':
      return 'PKCS#7 填充校验通过';
    case 'json':
      return data ? `得到 ${Object.keys(data).length} 个字段：${Object.keys(data).join('、')}` : '解析成功，是一个 JSON 对象';
    case 'appid':
      return `watermark.appid 是 ${JSON.stringify(input.appId)}，一致`;
  }
}

// ---------------------------------------------------------------------------
// Raw CBC decryption and what its blocks say

/**
 * AES-CBC decryption without the padding check, on WebCrypto (which has no
 * "no padding" mode). Encrypting an empty message with iv = the last
 * ciphertext block yields E(last ⊕ 0x10…0x10): appended, it decrypts to a
 * whole block of valid padding, so WebCrypto strips that and returns every
 * original plaintext byte, padding or garbage included.
 */
export async function decryptCbcRaw(key: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>, cipher: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const aes = await globalThis.crypto.subtle.importKey('raw', key, 'AES-CBC', false, ['encrypt', 'decrypt']);
  const last = cipher.slice(cipher.length - BLOCK);
  const padBlock = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-CBC', iv: last }, aes, new Uint8Array(0)));
  const extended = new Uint8Array(cipher.length + BLOCK);
  extended.set(cipher);
  extended.set(padBlock, cipher.length);
  return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-CBC', iv }, aes, extended));
}

/** The PKCS#7 pad length of a plaintext, or 0 when its padding is invalid. */
function padLength(plain: Uint8Array): number {
  const n = plain[plain.length - 1] ?? 0;
  if (n < 1 || n > BLOCK || n > plain.length) return 0;
  for (let i = plain.length - n; i < plain.length; i++) if (plain[i] !== n) return 0;
  return n;
}

// WeChat's phone-number JSON is pure ASCII, so an intact block is printable
// throughout; 16 random bytes are all printable with odds of about 1 in 10^7.
const printable = (b: number) => b >= 0x20 && b <= 0x7e;

function lookOf(bytes: Uint8Array, padLike: (index: number) => boolean = () => false): BlockLook {
  let bad = 0;
  for (const [i, b] of bytes.entries()) if (!printable(b) && !padLike(i)) bad++;
  // One changed Base64 character alters at most two bytes; a garbled block has about ten unprintable ones.
  return bad === 0 ? 'text' : bad <= 2 ? 'fewBytesOff' : 'garbled';
}

/** The last block when its padding is invalid: text, then pad-like bytes of which some were changed? */
function lastBlockLook(block: Uint8Array): BlockLook {
  let lastText = block.length - 1;
  while (lastText >= 0 && !printable(block[lastText] ?? 0)) lastText--;
  // Bytes 0x01–0x10 after the text are what is left of the padding; the others count as changed.
  const look = lookOf(block, (i) => i > lastText && (block[i] ?? 0) >= 1 && (block[i] ?? 0) <= BLOCK);
  // The padding failed, so even a block that reads cleanly has lost something.
  return look === 'text' ? 'fewBytesOff' : look;
}

function blockLooks(plain: Uint8Array, pad: number): BlockLook[] {
  const looks: BlockLook[] = [];
  for (let start = 0; start < plain.length; start += BLOCK) {
    const block = plain.subarray(start, start + BLOCK);
    const isLast = start + BLOCK >= plain.length;
    if (!isLast) looks.push(lookOf(block));
    else if (pad > 0) looks.push(lookOf(block.subarray(0, BLOCK - pad)));
    else looks.push(lastBlockLook(block));
  }
  return looks;
}

function previewOf(plain: Uint8Array, pad: number): string {
  const shown = plain.subarray(0, plain.length - pad);
  const parts: string[] = [];
  for (let start = 0; start < shown.length; start += BLOCK) {
    parts.push(Array.from(shown.subarray(start, start + BLOCK), (b) => (printable(b) ? String.fromCharCode(b) : '·')).join(''));
  }
  // Not a space: the plaintext has its own spaces, and a separator must not read as data.
  return parts.join('│');
}

/** 1-based Base64 character range that encodes bytes [from, to) (every 6 bits is one character). */
function charRange(from: number, to: number): string {
  return `${Math.floor((from * 8) / 6) + 1}–${Math.floor(((to - 1) * 8 + 7) / 6) + 1}`;
}

const list = (blocks: number[]) => blocks.map((b) => `第 ${b} 个`).join('、');

/**
 * Reads the blocks the way CBC produces them: P[i] = D(C[i]) ⊕ C[i-1], with
 * C[0] = iv. So a wrong key garbles every block; a wrong iv changes only
 * block 1 (fully if the iv is a different one, a byte or two if one character
 * was edited); a changed ciphertext byte in block i garbles block i and flips
 * the byte at the same position in block i+1, leaving every other block,
 * and the padding unless the change is in the last two blocks, intact.
 */
export function diagnoseCbc(plain: Uint8Array): CbcDiagnosis {
  const pad = padLength(plain);
  const looks = blockLooks(plain, pad);
  const base = { looks, preview: previewOf(plain, pad), paddingValid: pad > 0 };
  const n = looks.length;
  const garbled = looks.flatMap((look, i) => (look === 'garbled' ? [i + 1] : []));

  if (n === 1) {
    return {
      ...base,
      cause: '密文只有 1 个分组（16 字节）。手机号数据的明文远不止 16 字节：这份 encryptedData 不完整，或者不是手机号按钮给的。',
      cannotTell: '只有一个分组时，session_key 不对、iv 不对、密文被改动，结果都一样，面板分不出。',
    };
  }

  if (garbled.length === n) {
    const padding = pad > 0
      ? '这次乱码的结尾碰巧像合法的 PKCS#7 填充（session_key 不对时约有 1/256 的概率），所以错误到解析 JSON 时才暴露。'
      : 'session_key 不对时，填充几乎总是无效，只有约 1/256 的概率碰巧有效。';
    return {
      ...base,
      cause: `全部 ${n} 个分组都是乱码：session_key 不是加密这份数据的那把。典型的情况是按钮回调里又调用了 wx.login，正好刷新了 session_key，服务器拿新的 session_key 去解用旧 session_key 加密的数据。${padding}`,
      cannotTell:
        '分不出是哪一种“session_key 不对”：服务器手里的 session_key 已被刷新、这份 encryptedData 来自另一次登录或另一个用户，还是粘贴时拿错了 session_key，解出来同样都是乱码。session_key 不对时，也看不出 iv 对不对。',
    };
  }

  // Some block reads as text, so the key is right: a wrong key would garble all of them.
  const sentences: string[] = [];
  let cannotTell: string | undefined;
  const altered: number[] = [];
  for (const [index, look] of looks.entries()) {
    const block = index + 1;
    if (look === 'garbled' && block > 1) altered.push(block);
    if (block === 1 && look === 'garbled') {
      if (looks[1] !== 'text') altered.push(1);
      else {
        sentences.push('第 1 个分组是乱码，后面的分组可读。CBC 里 iv 只参与第 1 个分组的解密，所以问题在 iv，或者在 encryptedData 的前 16 字节。');
        cannotTell =
          '分不出是 iv 不对（被改动，或者和 encryptedData 不是同一次回调的），还是 encryptedData 的前 16 字节（Base64 的第 1–22 个字符）被改动了：后者还会让第 2 个分组里同一位置的一个字节跟着变，但那个字节变完可能仍是可读字符，看不出来。';
      }
    }
    if (block === 1 && look === 'fewBytesOff') {
      sentences.push('只有第 1 个分组里个别字节不对，而 CBC 里 iv 只影响第 1 个分组：iv 被改动了一两个字节（比如 Base64 里改了一个字符）。');
    }
  }
  if (altered.length > 0) {
    const ranges = altered.map((b) => `第 ${(b - 1) * BLOCK + 1}–${b * BLOCK} 字节（Base64 的第 ${charRange((b - 1) * BLOCK, b * BLOCK)} 个字符）`);
    sentences.push(
      `${list(altered)}分组是乱码，其余分组基本完好：encryptedData 的${ranges.join('、')}被改动过。CBC 解密时，一个被改动的密文字节会打乱它所在的整个分组，并把下一个分组同一位置的一个字节翻转，别的分组不受影响。`,
    );
    sentences.push(
      pad > 0
        ? '改动没有碰到结尾的填充字节，填充照样有效，所以数据“能解密，但不是 JSON”，这正是数据被改动的典型表现。'
        : '改动落在最后两个分组里，碰到了结尾的填充字节，所以在填充校验这一步就失败了。',
    );
  }
  if (sentences.length === 0) {
    sentences.push(
      pad > 0
        ? '没有整组变成乱码的分组，拼起来却不是合法的 JSON：可能有个别字节被改动（改成的也许仍是可读字符），或者加密的本来就不是 JSON。'
        : '没有整组变成乱码的分组，但结尾不是合法的 PKCS#7 填充：encryptedData 可能在分组边界上被截断了（少了结尾的若干个 16 字节），或者结尾有个别字节被改动。',
    );
  }
  sentences.push('session_key 是对的：如果它不对，每个分组都会变成乱码。');
  return { ...base, cause: sentences.join(''), ...(cannotTell ? { cannotTell } : {}) };
}

async function cbcDiagnosis(input: DecryptInput): Promise<CbcDiagnosis> {
  const plain = await decryptCbcRaw(base64ToBytes(input.sessionKey), base64ToBytes(input.iv), base64ToBytes(input.encryptedData));
  return diagnoseCbc(plain);
}

/** The fields of WeChat's decrypted phone number, in its order (deprecatedGetPhoneNumber.html). */
const PHONE_FIELDS = ['phoneNumber', 'purePhoneNumber', 'countryCode', 'watermark'];

/**
 * CBC has no integrity check: an iv with a changed byte changes the same byte
 * of the first plaintext block and nothing else, so `{"phoneNumber":` can turn
 * into `{"PhoneNumber":` and still parse, with a valid watermark further on.
 * Only the field names give it away. A missing field, not an extra one: WeChat
 * says the decrypted JSON may gain fields (signature.html), so extra ones alone prove nothing.
 */
function shapeWarning(data: Record<string, unknown>): string | undefined {
  const missing = PHONE_FIELDS.filter((field) => !(field in data));
  if (missing.length === 0) return undefined;
  const extra = Object.keys(data).filter((field) => !PHONE_FIELDS.includes(field));
  const extraNote = extra.length > 0 ? `（多出的字段：${extra.join('、')}）` : '';
  return `解密和水印核对都通过了，但缺少手机号数据应有的字段：${missing.join('、')}${extraNote}。如果这份数据本该是手机号，可能是 iv 被改动了个别字节：CBC 不校验完整性，iv 里改一个字节，只会改掉开头 16 字节里同一位置的一个字符，JSON 可能照样合法。所以服务器除了核对水印，还要按字段取值，缺字段就拒绝；多出的字段不必拒绝，官方说明解密后的 JSON 可能增加新字段。`;
}

// ---------------------------------------------------------------------------

export async function explainDecrypt(input: DecryptInput): Promise<DecryptExplanation> {
  try {
    const data = await decryptWeChatData(input);
    const steps = ORDER.map((id): ExplainedStep => ({ id, title: STEP_TITLES[id], status: 'ok', detail: okDetail(id, input, data) }));
    const warning = shapeWarning(data);
    return { ok: true, data, steps, ...(warning ? { warning } : {}) };
  } catch (error) {
    if (!(error instanceof WeChatCryptoError)) throw error;
    const failed = STEP_OF[error.step];
    const at = ORDER.indexOf(failed);
    // crypto.ts writes "中文 / English"; the panel is Chinese.
    let message = error.message.split(' / ')[0] ?? error.message;
    let cause: string;
    let cbc: CbcDiagnosis | undefined;
    if (error.step === 'padding' || error.step === 'json') {
      // The key, iv and ciphertext all passed their shape checks to get here, so the raw decryption can run.
      cbc = await cbcDiagnosis(input);
      cause = cbc.cause;
      if (error.step === 'padding') message = '最后一个分组的结尾不是合法的 PKCS#7 填充';
      else if (cbc.paddingValid) message = '填充有效，但明文不是 UTF-8 编码的 JSON 对象';
    } else {
      cause = CAUSES[error.step];
    }
    const steps = ORDER.map((id, index): ExplainedStep => {
      if (index < at) return { id, title: STEP_TITLES[id], status: 'ok', detail: okDetail(id, input) };
      if (index === at) return { id, title: STEP_TITLES[id], status: 'failed', detail: message };
      return { id, title: STEP_TITLES[id], status: 'skipped', detail: '前面一步失败，这一步没有执行' };
    });
    return {
      ok: false,
      steps,
      code: error.code,
      failed,
      message,
      cause,
      ...(cbc ? { cbc } : {}),
    };
  }
}

export interface DecryptSample extends DecryptInput {
  /** The plaintext that went in, to compare with what comes out. */
  plain: Record<string, unknown>;
}

/**
 * A real round trip: a random session_key and iv made here, the sample
 * phone number encrypted exactly as WeChat does (watermark appended last).
 */
export async function makeSample(now = Date.now()): Promise<DecryptSample> {
  const appId = `wx${Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  const sessionKey = randomBase64(16);
  const timestamp = Math.floor(now / 1000);
  const data = { phoneNumber: '13580006666', purePhoneNumber: '13580006666', countryCode: '86' };
  const { encryptedData, iv } = await encryptWeChatData({ appId, sessionKey, data, timestamp });
  return { appId, sessionKey, encryptedData, iv, plain: { ...data, watermark: { timestamp, appid: appId } } };
}
