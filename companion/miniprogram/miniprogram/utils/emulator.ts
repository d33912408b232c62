/**
 * 只在离线模式下起作用（config.emulator 不是 null，由微信接口模拟服务代替微信）。
 *
 * 手机号按钮的 code 和 encryptedData 由真微信签发，模拟服务不认识；游客 AppID 下按钮拿不到手机号
 * （我们在开发者工具里见到的是“getPhoneNumber:fail no permission”，非官方原文）。所以离线时由模拟服务代替微信给出按钮的结果：
 * 新版要 /__dev/phone-code，旧版要 /__dev/phone-encrypted-data（用模拟服务此刻为测试用户保存的
 * session_key 加密，和微信一样）。接真实微信时（emulator 为 null）按钮的结果原样返回。
 */
import { config } from '../config';
import { errorCode, errorMessage, send } from './http';

/** bindgetphonenumber 的 e.detail：新版有 code，旧版有 encryptedData 和 iv，额度用完时 errno 为 1400001 */
export interface PhoneButtonDetail {
  errMsg: string;
  errno?: number;
  code?: string;
  encryptedData?: string;
  iv?: string;
}

export type PhoneFlow = 'code' | 'encrypted';

export async function phoneButtonResult(detail: PhoneButtonDetail, flow: PhoneFlow): Promise<PhoneButtonDetail> {
  const emulator = config.emulator;
  if (!emulator) return detail;
  const path = flow === 'code' ? '/__dev/phone-code' : '/__dev/phone-encrypted-data';
  const res = await send<{ code?: string; encryptedData?: string; iv?: string }>({
    baseUrl: emulator.baseUrl,
    path,
    method: 'POST',
    data: { userId: emulator.userId },
  }).catch(() => null);
  if (!res) return { errMsg: `getPhoneNumber:fail 连不上微信接口模拟服务 ${emulator.baseUrl}，先运行 npm run companion` };
  if (res.statusCode !== 200) {
    const errMsg = `getPhoneNumber:fail 微信接口模拟服务 ${path}：${errorMessage(res.data, String(res.statusCode))}`;
    // 模拟服务里手机号额度用完时，和微信一样给出 errno 1400001
    return errorCode(res.data) === 'ERRNO_1400001' ? { errMsg, errno: 1400001 } : { errMsg };
  }
  return { errMsg: 'getPhoneNumber:ok', ...res.data };
}
