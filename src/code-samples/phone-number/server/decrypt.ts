import { createDecipheriv } from 'node:crypto';

/** 和官方 WXBizDataCrypt 示例一致的错误码，方便对照各语言 SDK 的报错 */
export class DecryptError extends Error {
  constructor(
    readonly code: -41001 | -41002 | -41003,
    /** 谁的问题：传输（input）、密钥（key）还是数据归属（watermark） */
    readonly reason: 'input' | 'key' | 'watermark',
    message: string,
  ) {
    super(message);
    this.name = 'DecryptError';
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Buffer.from(s, 'base64') 会悄悄跳过非法字符，所以先严格校验，免得把传坏的数据当成“密钥不对” */
function strictBase64(value: string): Buffer | null {
  return BASE64.test(value) ? Buffer.from(value, 'base64') : null;
}

// #region decrypt
export function decryptPhoneData(appId: string, sessionKey: string, encryptedData: string, iv: string) {
  // 第 1 步：aeskey = Base64_Decode(session_key)，必须是 16 字节
  const key = strictBase64(sessionKey);
  if (key?.length !== 16) throw new DecryptError(-41001, 'key', 'session_key 不是 16 字节数据的 Base64');

  // 第 2 步：初始向量 = Base64_Decode(iv)，同样是 16 字节
  const ivBytes = strictBase64(iv);
  if (ivBytes?.length !== 16) throw new DecryptError(-41002, 'input', 'iv 不是 16 字节数据的 Base64');

  // 第 3 步：密文 = Base64_Decode(encryptedData)，长度必须是 16 的整数倍
  const cipherText = strictBase64(encryptedData);
  if (!cipherText || cipherText.length === 0 || cipherText.length % 16 !== 0) {
    throw new DecryptError(-41003, 'input', 'encryptedData 在传输中被改动或截断');
  }

  // 第 4 步：AES-128-CBC 解密；setAutoPadding(true) 会校验并去掉 PKCS#7 填充
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-128-cbc', key, ivBytes);
    decipher.setAutoPadding(true);
    plain = Buffer.concat([decipher.update(cipherText), decipher.final()]).toString('utf8');
  } catch {
    // 填充校验失败：几乎总是 session_key 不是加密时那一把（被新的 wx.login 刷新了）
    throw new DecryptError(-41003, 'key', 'session_key 与加密时不一致');
  }

  // 第 5 步：解析 JSON。key 不对时约有 1/256 的概率填充“碰巧”合法，得到的是乱码
  let data: { phoneNumber: string; purePhoneNumber: string; countryCode: string; watermark?: { appid?: string; timestamp?: number } };
  try {
    data = JSON.parse(plain);
  } catch {
    throw new DecryptError(-41003, 'key', '解密结果不是 JSON，session_key 或 iv 不对');
  }

  // 第 6 步：核对水印，确认数据是发给自己这个小程序的
  if (data.watermark?.appid !== appId) throw new DecryptError(-41003, 'watermark', 'watermark.appid 不是本小程序');
  return data;
}
// #endregion
