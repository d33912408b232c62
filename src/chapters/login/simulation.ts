/**
 * The 小程序登录 simulator: the login machine bound to the simulated world.
 * Each effect the machine asks for is carried out here against the world, and
 * every message it causes is recorded with its real payload.
 */
import { MINUTE } from '../../world/support/clock.ts';
import type { CodeExchange, LoginSuccessBody } from '../../world/developer/developer-server.ts';
import { WECHAT_API_ORIGIN } from '../../world/wechat/wechat-client.ts';
import {
  createSimulatedWorld,
  DEMO_APP,
  DEMO_USER,
  DEVELOPER_ORIGIN,
  responseMessage,
  TOKEN_LIFETIME_SECONDS,
  type SimulatedWorld,
} from '../../world/simulated-world.ts';
import { loginMachine, type LoginEffect, type LoginEvent, type LoginMachine } from './machine.ts';
import { clockControl, codeChoice, effectBuilder, stateMeta, userControl } from '../../kit/engine/controls.ts';
import { defineSimulation, type Control, type EffectSpec, type Finding, type HolderRow, type StateMeta, type WorldView } from '../../kit/engine/definition.ts';
import { CORE, MINIPROGRAM, SERVER } from '../shared/code-files.ts';
import { ONE_PHONE_STAGE } from '../shared/lanes.ts';
import { appSecretRow, serverSessionRows, storageRows, wechatSessionKeyRow } from '../shared/holdings.ts';
import { CODE_LIFETIME_MINUTES, code2SessionFault, pastCodeLifetime } from '../shared/controls.ts';
import { bearer, wxCheckSession, wxLogin, wxRequest } from '../shared/wx.ts';
import { LOGIN_DOC, NETWORK_DOC } from '../../world/wechat/login-sessions.ts';

export interface LoginWorld extends SimulatedWorld {
  /** The developer server's request in progress, between its steps. */
  inFlight: { code?: string; exchange?: CodeExchange };
  directCallAttempted: boolean;
}

const effect = effectBuilder<LoginWorld, LoginMachine>();

const effects: Record<LoginEffect, EffectSpec<LoginWorld, LoginMachine>> = {
  callWxLogin: effect('client', '微信客户端处理 wx.login()', async (world) => {
    const { code } = wxLogin(world);
    return { type: 'wx.loginSucceeded', code };
  }),

  sendCodeToServer: effect('miniprogram', '把 code 发给开发者服务器', async (world, snapshot) => {
    const code = snapshot.context.code ?? '';
    world.wire.record({ from: 'miniprogram', to: 'developer', label: 'POST /api/login', payload: { code } });
    const parsed = world.server.parseLoginBody({ code });
    if (!parsed.ok) throw new Error('the simulated mini program always sends a valid body');
    world.inFlight = { code: parsed.code };
    return { type: 'server.codeReceived' };
  }),

  exchangeCodeWithWeChat: effect('developer', '开发者服务器调用 code2Session', async (world) => {
    const exchange = await world.server.exchangeCode(world.inFlight.code ?? '');
    world.inFlight.exchange = exchange;
    if (exchange.ok) return { type: 'wechat.sessionIssued', openid: exchange.session.openid };
    const { error } = exchange.response.body;
    return { type: 'wechat.loginRejected', errcode: exchange.errcode, errmsg: error.message };
  }),

  issueToken: effect('developer', '开发者服务器保存 session_key，签发登录态', async (world) => {
    const exchange = world.inFlight.exchange;
    if (!exchange?.ok) throw new Error('issueToken needs a successful exchange');
    const response = await world.server.establishSession(exchange.session);
    world.inFlight = {};
    const message = responseMessage(response);
    if (response.body.session_key) {
      message.tone = 'danger';
      message.note = '错误设计：session_key 离开了服务器';
    }
    world.wire.record(message);
    storeLogin(world, response.body);
    return {
      type: 'server.tokenIssued',
      token: response.body.token,
      openid: exchange.session.openid,
      ...(response.body.session_key ? { sessionKey: response.body.session_key } : {}),
    };
  }),

  respondWithError: effect('developer', '开发者服务器把错误告诉小程序', async (world) => {
    const exchange = world.inFlight.exchange;
    if (!exchange || exchange.ok) throw new Error('respondWithError needs a failed exchange');
    world.inFlight = {};
    world.wire.record(responseMessage(exchange.response));
    return { type: 'server.loginFailed', status: exchange.response.status, ...exchange.response.body.error };
  }),

  callWxCheckSession: effect('client', '微信客户端处理 wx.checkSession()', async (world) => {
    const { ok } = wxCheckSession(world);
    if (!ok) forgetLogin(world);
    return { type: ok ? 'wx.sessionValid' : 'wx.sessionExpired' };
  }),

  requestProfile: effect('miniprogram', '带着 token 请求 /api/me', async (world, snapshot) => {
    const result = await wxRequest<{ openid: string }>(world, {
      url: `${DEVELOPER_ORIGIN}/api/me`,
      method: 'GET',
      header: bearer(snapshot.context.token ?? ''),
    });
    if (result.ok) return { type: 'server.profileReturned', openid: result.data.openid };
    forgetLogin(world);
    return { type: 'server.unauthorized', code: result.error.code, message: result.error.message };
  }),

  resendUsedCode: effect('miniprogram', '把用过的 code 再发一次', async (world, snapshot) => {
    const result = await wxRequest(world, { url: `${DEVELOPER_ORIGIN}/api/login`, method: 'POST', data: { code: snapshot.context.code } });
    if (result.ok) throw new Error('a used code must never yield a second session');
    return { type: 'server.loginFailed', status: result.status, ...result.error };
  }),

  requestWeChatApiDirectly: effect('client', '微信客户端处理这次 wx.request', async (world) => {
    world.directCallAttempted = true;
    const url = `${WECHAT_API_ORIGIN}/sns/jscode2session?appid=${DEMO_APP.appid}&secret=…&js_code=…&grant_type=authorization_code`;
    world.wire.record({
      from: 'miniprogram',
      to: 'client',
      label: 'wx.request(api.weixin.qq.com)',
      payload: { url },
      tone: 'danger',
      note: '要这样调，AppSecret 就得打进小程序代码包，任何人解包都能拿到',
    });
    const result = await world.client.request({ url, method: 'GET' });
    if (result.ok) throw new Error('the WeChat client must refuse api.weixin.qq.com');
    world.wire.record({ from: 'client', to: 'miniprogram', label: 'fail', payload: { errMsg: result.errMsg }, tone: 'error' });
    return { type: 'wx.requestFailed', errMsg: result.errMsg };
  }),
};

/** What the mini program drops when its login is no longer good: everything login put in storage. */
function forgetLogin(world: LoginWorld): void {
  world.client.removeStorageSync('token');
  world.client.removeStorageSync('session_key');
}

function storeLogin(world: LoginWorld, body: LoginSuccessBody): void {
  world.client.setStorageSync('token', body.token);
  world.wire.record({ from: 'miniprogram', to: 'client', label: "wx.setStorageSync('token', …)" });
  if (body.session_key) {
    world.client.setStorageSync('session_key', body.session_key);
    world.wire.record({
      from: 'miniprogram',
      to: 'client',
      label: "wx.setStorageSync('session_key', …)",
      secrets: ['session_key'],
      payload: { session_key: body.session_key },
      tone: 'danger',
    });
  }
}

const user = userControl<LoginEvent>;
const code = codeChoice<LoginEvent>;

const advance = clockControl;

export const loginControls: readonly Control<LoginWorld, LoginEvent>[] = [
  user('login', '登录', { type: 'user.tappedLogin' }, '用户点击小程序里的「登录」按钮'),
  user('profile', '请求我的资料', { type: 'user.openedProfile' }, '带着登录态请求 GET /api/me'),
  user('relaunch', '重启小程序', { type: 'app.relaunched' }, '冷启动：onLaunch 里调用 wx.checkSession'),
  code('resubmit', '重复提交刚才的 code', { type: 'user.resubmittedCode' }, '把已经用过的 code 再发给服务器一次'),
  code('direct', '小程序直连微信接口', { type: 'user.calledWeChatApiDirectly' }, '错误做法：在小程序里请求 api.weixin.qq.com'),
  advance('plus-1m', '+1 分钟', MINUTE, `code 在 ${CODE_LIFETIME_MINUTES} 分钟内都能用：1 分钟后照样能换会话`),
  pastCodeLifetime(),
  advance('plus-2h', `+${TOKEN_LIFETIME_SECONDS / 3600} 小时`, TOKEN_LIFETIME_SECONDS * 1000, `模拟器里的登录态 token 有效期是 ${TOKEN_LIFETIME_SECONDS / 3600} 小时：时间拨过去再请求资料，服务器会返回 401（登录态已过期）`),
  code2SessionFault('busy', '微信繁忙 -1', -1),
  code2SessionFault('quota', '频率限制 45011', 45011),
  {
    kind: 'world',
    id: 'risky',
    label: '高风险用户 40226',
    hint: '切换：微信把这个用户判为高风险，拦截登录',
    apply: (world) => world.wechat.setHighRisk(DEMO_USER.id, !world.wechat.user(DEMO_USER.id)?.highRisk),
    active: (world) => world.wechat.user(DEMO_USER.id)?.highRisk === true,
  },
  {
    kind: 'world',
    id: 'expire-session',
    label: '让 session_key 过期',
    hint: '微信侧的会话失效，之后 wx.checkSession 会失败',
    apply: (world) => world.wechat.expireSession(DEMO_APP.appid, DEMO_USER.id),
  },
  {
    kind: 'world',
    id: 'leak',
    actor: 'code',
    label: '错误设计：把 session_key 下发给小程序',
    hint: '切换：服务器在登录响应里带上 session_key',
    apply: (world) => {
      world.settings.exposeSessionKey = !world.settings.exposeSessionKey;
    },
    active: (world) => world.settings.exposeSessionKey,
  },
];

/**
 * The code a reader should look at in each state. The files are the same
 * ones the chapter prints in full, so the panel and the page never disagree.
 */

const states: Record<string, StateMeta> = {
  signedOut: stateMeta(`${MINIPROGRAM}/pages/login/login.ts`, 'login-tap'),
  'loggingIn.requestingCode': stateMeta(`${MINIPROGRAM}/utils/auth.ts`, 'login', '登录中…'),
  'loggingIn.awaitingServer.requestInFlight': stateMeta(`${SERVER}/routes/auth.ts`, 'route', '登录中…'),
  'loggingIn.awaitingServer.exchangingCode': stateMeta(`${SERVER}/wechat-api.ts`, 'code2session', '登录中…'),
  'loggingIn.awaitingServer.issuingToken': stateMeta(CORE, 'issue-token', '登录中…'),
  'loggingIn.awaitingServer.respondingWithError': stateMeta(CORE, 'map-errors', '登录中…'),
  loggedIn: stateMeta(`${MINIPROGRAM}/utils/auth.ts`, 'store-token'),
  checkingSession: stateMeta(`${MINIPROGRAM}/utils/auth.ts`, 'check-session', '启动中…'),
  fetchingProfile: stateMeta(`${MINIPROGRAM}/utils/request.ts`, 'retry-on-401', '加载中…'),
  resubmittingCode: stateMeta(CORE, 'map-errors', '提交中…'),
  callingWeChatDirectly: stateMeta(`${MINIPROGRAM}/wrong/login-direct.ts`, 'direct-call', '请求中…'),
};

/** Every file the code panel offers, in reading order. */
const codeFiles = [
  `${MINIPROGRAM}/pages/login/login.wxml`,
  `${MINIPROGRAM}/pages/login/login.ts`,
  `${MINIPROGRAM}/app.ts`,
  `${MINIPROGRAM}/utils/auth.ts`,
  `${MINIPROGRAM}/utils/request.ts`,
  `${MINIPROGRAM}/utils/http.ts`,
  `${SERVER}/routes/auth.ts`,
  `${SERVER}/wechat-api.ts`,
  CORE,
  `${MINIPROGRAM}/wrong/login-direct.ts`,
];

function view(world: LoginWorld): WorldView {
  const storage = world.client.storageSnapshot();
  const holdings: HolderRow[] = [...storageRows(world), ...serverSessionRows(world), appSecretRow, wechatSessionKeyRow(world)];

  const findings: Finding[] = [];
  if (storage.session_key !== undefined) {
    findings.push({
      level: 'danger',
      title: '安全错误：session_key 到了小程序里',
      detail:
        '官方文档：“开发者服务器不应该把会话密钥下发到小程序，也不应该对外提供这个密钥。”拿到 session_key 的人可以解密用户的加密数据、伪造签名。',
      href: LOGIN_DOC,
    });
  } else if (world.settings.exposeSessionKey) {
    findings.push({
      level: 'warning',
      title: '服务器现在用的是错误设计',
      detail: '下一次登录成功时，响应里会带上 session_key。',
      href: LOGIN_DOC,
    });
  }
  if (world.directCallAttempted) {
    findings.push({
      level: 'danger',
      title: '安全错误：小程序试图直连 api.weixin.qq.com',
      detail:
        '官方文档：“出于安全考虑，api.weixin.qq.com 不能被配置为服务器域名，相关 API 也不能在小程序内调用。”要这样调用，AppSecret 就得写进小程序代码包。',
      href: NETWORK_DOC,
    });
  }
  return { holdings, findings };
}

export const loginSimulation = defineSimulation<LoginMachine, LoginWorld>({
  flow: 'login',
  title: '小程序登录',
  machine: loginMachine,
  ...ONE_PHONE_STAGE,
  effects,
  createWorld: () => Object.assign(createSimulatedWorld('login'), { inFlight: {}, directCallAttempted: false }),
  controls: loginControls,
  view,
  states,
  codeFiles,
});
