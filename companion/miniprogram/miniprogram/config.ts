/**
 * 小程序只在这一个文件里知道服务器在哪。
 *
 * serverUrl：`npm run companion` 把开发者服务器开在 http://127.0.0.1:3000。开发者工具要访问它，
 * 得在「详情 → 本地设置」勾选「不校验合法域名」；真机调试时把服务器开在局域网地址（HOST=0.0.0.0），
 * 这里填电脑的局域网 IP；正式上线只能用配置在「request 合法域名」里的 HTTPS 域名。
 *
 * emulator：离线时由微信接口模拟服务（`npm run companion`）代替微信，这里填它的地址和测试用户。登录照样走
 * wx.login，模拟服务把它不认识的 code 当作这个测试用户的登录（见 companion/README.md）；手机号按钮给的数据
 * 只有真微信认得，由 utils/emulator.ts 向模拟服务要。服务器改连真实的 api.weixin.qq.com 时改成 null。
 */
export interface EmulatorConfig {
  baseUrl: string;
  userId: string;
}

export const config: { serverUrl: string; emulator: EmulatorConfig | null } = {
  serverUrl: 'http://127.0.0.1:3000',
  emulator: { baseUrl: 'http://127.0.0.1:4000', userId: 'demo' },
};
