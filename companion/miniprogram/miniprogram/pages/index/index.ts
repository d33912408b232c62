/** The capabilities, in chapter order; each page is one flow machine from src/flows. */
const CAPABILITIES = [
  { title: '登录', desc: 'wx.login → 开发者服务器 → token；启动时 checkSession，401 时重新登录', url: '/pages/login/login' },
  { title: '授权', desc: '用到时才询问麦克风和位置；拒绝后说明原因，引导去设置页', url: '/pages/authorization/authorization' },
  { title: '手机号', desc: '新版 code 流程和旧版 encryptedData 流程（解密前先 checkSession）', url: '/pages/phone/phone' },
];

Component({
  data: { capabilities: CAPABILITIES },
  methods: {},
});
