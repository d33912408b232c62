/**
 * 群排行榜：从群里的卡片进来的人，才拿得到群信息。
 * getGroupEnterInfo → 服务器用“这个用户自己”的 session_key 解密 → opengid。
 * 同一个群对同一个小程序只有一个 opengid，群里每个人打开都一样，排行榜就按它分组。
 */
import { getToken, login } from '../../../utils/auth';
import { errorCode, errorMessage, send } from '../../../utils/http';
import { getGroupInfo, GroupInfoError } from '../group-info';

interface GroupOk {
  opengid: string;
  members: number;
}

/** getGroupEnterInfo 的“场景错误”：不是从群聊的卡片进来的 */
const SCENE_ERROR = 40097;

Page({
  data: { opengid: '', members: 0, notice: '' },

  async onLoad() {
    await this.loadGroup();
  },

  // #region load-group
  async loadGroup() {
    try {
      // 先登录：服务器要先存好“这个用户”的 session_key，才解得开微信为他加密的数据
      if (!getToken()) await login();
      let res = await this.sendGroupInfo();
      if (res.statusCode === 401 || errorCode(res.data) === 'SESSION_KEY_MISMATCH') {
        // 登录态失效，或服务器保存的 session_key 已被新的 wx.login 换掉：
        // 重新登录，再向微信要一份用新 session_key 加密的群信息，只重试这一次
        await login();
        res = await this.sendGroupInfo();
      }
      if (res.statusCode === 200) {
        const body = res.data as GroupOk;
        this.setData({ opengid: body.opengid, members: body.members, notice: '' });
      } else {
        this.setData({ notice: errorMessage(res.data, '获取群信息失败，请稍后重试') });
      }
    } catch (error) {
      if (error instanceof GroupInfoError && error.errCode === SCENE_ERROR) {
        this.setData({ notice: '请从群聊里的小程序卡片进入，才能看到本群排行榜' });
      } else {
        this.setData({ notice: error instanceof Error ? error.message : '获取群信息失败' });
      }
    }
  },
  // #endregion

  // #region send-group-info
  async sendGroupInfo() {
    const info = await getGroupInfo();
    // encryptedData 放进 JSON 请求体原样发送；服务器用它保存的、这个用户的 session_key 解密
    return send<GroupOk | unknown>({ path: '/api/share/group', method: 'POST', data: info, token: getToken() });
  },
  // #endregion
});
