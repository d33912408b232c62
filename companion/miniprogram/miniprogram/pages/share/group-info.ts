/**
 * 向微信要群信息：基础库 2.17.3 起用 wx.getGroupEnterInfo（不用传 shareTicket，微信看这次是怎么进来的），
 * 更早的基础库用 wx.getShareInfo({ shareTicket })（2.17.3 起官方推荐改用 wx.getGroupEnterInfo）。两者都返回用“打开卡片的这个用户”的
 * session_key 加密的 encryptedData 和 iv，解密交给服务器。
 * 按版本号选，不用 wx.canIUse：getGroupEnterInfo 从 2.10.4 起就有，但那时只认群工具，
 * 2.17.3 起才能读群聊里的消息卡片。
 * https://developers.weixin.qq.com/miniprogram/dev/api/open-api/group/wx.getGroupEnterInfo.html
 *
 * 离线时（config.emulator 不是 null），群卡片的数据只有真微信给得出，改由微信接口模拟服务的
 * /__dev/group-enter-info 代替（先用 /__dev/share-groups 建群、/__dev/open-card 模拟“从群里点开卡片”）。
 */
import { config } from '../../config';
import { atLeast } from '../../utils/base-library';
import { errorMessage, send } from '../../utils/http';

export interface EncryptedGroupInfo {
  encryptedData: string;
  iv: string;
}

export class GroupInfoError extends Error {
  constructor(
    /** 40097：场景错误，这次不是从群聊的卡片进来的 */
    readonly errCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'GroupInfoError';
  }
}

type WxFail = { errMsg: string; errCode?: number; errno?: number };

/** 从这个版本起 wx.getGroupEnterInfo 能读群聊小程序消息卡片 */
const CARD_ENTER_INFO_SINCE = '2.17.3';

// #region get-group-info
export function getGroupInfo(): Promise<EncryptedGroupInfo> {
  if (config.emulator) return fromEmulator(config.emulator.baseUrl, config.emulator.userId);
  return new Promise((resolve, reject) => {
    const fail = (err: WxFail) => reject(new GroupInfoError(err.errCode ?? err.errno ?? -1, err.errMsg));
    const success = ({ encryptedData, iv }: EncryptedGroupInfo) => resolve({ encryptedData, iv });
    if (atLeast(CARD_ENTER_INFO_SINCE)) {
      wx.getGroupEnterInfo({ success, fail });
      return;
    }
    // 2.17.3 以前：shareTicket 只在 App.onLaunch / onShow 的参数里，这里从同一份参数读
    const shareTicket = wx.getEnterOptionsSync().shareTicket;
    if (!shareTicket) {
      reject(new GroupInfoError(-1, '没有 shareTicket：不是从群里带 shareTicket 的卡片进来的'));
      return;
    }
    wx.getShareInfo({ shareTicket, success, fail });
  });
}
// #endregion

async function fromEmulator(baseUrl: string, userId: string): Promise<EncryptedGroupInfo> {
  const res = await send<Partial<EncryptedGroupInfo> & { errCode?: number; errMsg?: string }>({
    baseUrl,
    path: '/__dev/group-enter-info',
    method: 'POST',
    data: { userId },
  }).catch(() => null);
  if (!res) throw new GroupInfoError(-1, `连不上微信接口模拟服务 ${baseUrl}，先运行 npm run companion`);
  const { encryptedData, iv, errCode, errMsg } = res.data ?? {};
  if (res.statusCode === 200 && encryptedData && iv) return { encryptedData, iv };
  throw new GroupInfoError(errCode ?? -1, errMsg ?? errorMessage(res.data, `微信接口模拟服务返回 ${res.statusCode}`));
}
