import { request } from '../../utils/request';

type Me = {
  userId: string;
  nickname: string | null;
};

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
