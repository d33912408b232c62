/**
 * The "decrypt it yourself" panel's logic, apart from React: run WeChat's
 * open-data decryption (crypto.ts, the same code the simulated server uses)
 * and turn its outcome into the official algorithm's steps, marking the one
 * that failed and saying what usually causes it. Browser-safe: WebCrypto
 * only, nothing is sent anywhere.
 */
import {
  base64ToBytes,
  decryptWeChatData,
  encryptWeChatData,
  randomBase64,
  WeChatCryptoError,
  type DecryptInput,
  type WeChatCryptoStep,
} from '../world/support/crypto.ts';

export type StepId = 'sessionKey' | 'iv' | 'encryptedData' | 'aes' | 'json' | 'appid';

export interface ExplainedStep {
  id: StepId;
  title: string;
  status: 'ok' | 'failed' | 'skipped';
  /** What happened at this step, for this input. */
  detail: string;
}

export type DecryptExplanation =
  | { ok: true; steps: ExplainedStep[]; data: Record<string, unknown> }
  | { ok: false; steps: ExplainedStep[]; code: number; failed: StepId; message: string; cause: string };

const STEP_TITLES: Record<StepId, string> = {
  sessionKey: 'aeskey = Base64_Decode(session_key)，必须是 16 字节',
  iv: '初始向量 = Base64_Decode(iv)，必须是 16 字节',
  encryptedData: '密文 = Base64_Decode(encryptedData)，长度是 16 的整数倍',
  aes: 'AES-128-CBC 解密，去掉 PKCS#7 填充',
  json: '明文按 UTF-8 解析成 JSON 对象',
  appid: '校验 watermark.appid 等于自己的 AppID',
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

/** The likeliest real-world reason for a failure at each step. */
const CAUSES: Record<WeChatCryptoStep, string> = {
  sessionKey: 'session_key 抄错了、多了空格或换行，或者把 code、openid 当成了 session_key。',
  iv: 'iv 在传输中被改动：最常见的是 + 在 URL 查询串里没编码，被服务器解码成了空格。',
  'encryptedData.base64': 'encryptedData 在传输中被改动：+ 变成空格、被 URL 编码两次，或者复制时带上了引号和换行。',
  'encryptedData.blocks': 'encryptedData 被截断了，例如放在 GET 查询串里超出了长度限制，或者只复制了一部分。',
  padding:
    '这几乎总是 session_key 不对：加密时微信用的是当时的 session_key，之后的 wx.login 把它刷新了，服务器拿新 key 去解旧数据。也可能是 iv 和 encryptedData 不是同一次返回的。',
  json: '填充碰巧校验通过（约 1/256 的概率），但明文是乱码：原因和上一步一样，session_key 或 iv 不对。',
  watermark: '解出来的 JSON 没有 watermark，不像是微信加密的手机号数据。',
  appid: '数据是发给另一个小程序的：开发者工具的项目 AppID 与服务器配置不一致，或有人拿别的小程序的数据冒充。',
};

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
      return `${input.encryptedData.length} 个字符，解码得到 ${n} 字节（${n / 16} 个分组）`;
    }
    case 'aes':
      return 'PKCS#7 填充校验通过';
    case 'json':
      return data ? `得到 ${Object.keys(data).length} 个字段：${Object.keys(data).join('、')}` : '解析成功，是一个 JSON 对象';
    case 'appid':
      return `watermark.appid 是 ${JSON.stringify(input.appId)}，一致`;
  }
}

export async function explainDecrypt(input: DecryptInput): Promise<DecryptExplanation> {
  try {
    const data = await decryptWeChatData(input);
    return { ok: true, data, steps: ORDER.map((id) => ({ id, title: STEP_TITLES[id], status: 'ok', detail: okDetail(id, input, data) })) };
  } catch (error) {
    if (!(error instanceof WeChatCryptoError)) throw error;
    const failed = STEP_OF[error.step];
    const at = ORDER.indexOf(failed);
    // crypto.ts writes "中文 / English"; the panel is Chinese.
    const message = error.message.split(' / ')[0] ?? error.message;
    const steps = ORDER.map((id, index): ExplainedStep => {
      if (index < at) return { id, title: STEP_TITLES[id], status: 'ok', detail: okDetail(id, input) };
      if (index === at) return { id, title: STEP_TITLES[id], status: 'failed', detail: message };
      return { id, title: STEP_TITLES[id], status: 'skipped', detail: '没有执行' };
    });
    return { ok: false, steps, code: error.code, failed, message, cause: CAUSES[error.step] };
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
