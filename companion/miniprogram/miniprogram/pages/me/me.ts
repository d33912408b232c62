import { request } from '../../utils/request';

/** GET /api/me 的响应：token 对小程序是不透明的，要问服务器它代表谁 */
interface Me {
  openid: string;
}

Page({
  data: {
    me: null as Me | null,
    error: '',
  },
  async onLoad() {
    try {
      const me = await request<Me>({ path: '/api/me' });
      this.setData({ me, error: '' });
    } catch {
      this.setData({ error: '加载失败，请稍后重试' });
    }
  },
});
