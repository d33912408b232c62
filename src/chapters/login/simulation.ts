/**
 * The 小程序登录 simulator: the login machine bound to the simulated world.
 * Each effect the machine asks for is carried out here against the world, and
 * every message it causes is recorded with its real payload.
 */
import type { SnapshotFrom } from 'xstate';
import { HOUR, MINUTE } from '../../world/support/clock.ts';
import type { CodeExchange, LoginSuccessBody } from '../../world/developer/developer-server.ts';
import { WECHAT_API_ORIGIN } from '../../world/wechat/wechat-client.ts';
import {
  createSimulatedWorld,
  DEMO_APP,
  DEMO_USER,
  DEVELOPER_ORIGIN,
  responseMessage,
  type SimulatedWorld,
} from '../../world/simulated-world.ts';
import { loginMachine, type LoginEffect, type LoginEvent, type LoginMachine } from './machine.ts';
import { clockControl, userControl } from '../../kit/engine/controls.ts';
import type { Control, Finding, HolderRow, SimulationDefinition } from '../../kit/engine/definition.ts';
import type { ApiErrorBody } from '../../world/developer/http.ts';

export const LOGIN_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/login.html';
export const NETWORK_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/ability/network.html';

export interface LoginWorld extends SimulatedWorld {
  /** The developer server's request in progress, between its steps. */
  inFlight: { code?: string; exchange?: CodeExchange };
  directCallAttempted: boolean;
}

type LoginSnapshot = SnapshotFrom<LoginMachine>;

const effects: Record<LoginEffect, (world: LoginWorld, snapshot: LoginSnapshot) => Promise<LoginEvent>> = {
  async callWxLogin(world) {
    world.wire.record({ from: 'miniprogram', to: 'client', label: 'wx.login()' });
    const result = world.client.login();
    if (!result.ok) throw new Error(result.errMsg);
    world.wire.record({ from: 'client', to: 'wechat', label: '（微信内部）申请登录凭证' });
    world.wire.record({
      from: 'wechat',
      to: 'client',
      label: 'code',
      payload: { code: result.code },
      note: 'code 5 分钟内有效，只能用一次',
    });
    world.wire.record({ from: 'client', to: 'miniprogram', label: 'success', payload: { errMsg: result.errMsg, code: result.code } });
    return { type: 'wx.loginSucceeded', code: result.code };
  },

  async sendCodeToServer(world, snapshot) {
    const code = snapshot.context.code ?? '';
    world.wire.record({ from: 'miniprogram', to: 'developer', label: 'POST /api/login', payload: { code } });
    const parsed = world.server.parseLoginBody({ code });
    if (!parsed.ok) throw new Error('the simulated mini program always sends a valid body');
    world.inFlight = { code: parsed.code };
    return { type: 'server.codeReceived' };
  },

  async exchangeCodeWithWeChat(world) {
    const exchange = await world.server.exchangeCode(world.inFlight.code ?? '');
    world.inFlight.exchange = exchange;
    if (exchange.ok) return { type: 'wechat.sessionIssued', openid: exchange.session.openid };
    const { error } = exchange.response.body;
    return { type: 'wechat.loginRejected', errcode: exchange.errcode, errmsg: error.message };
  },

  async issueToken(world) {
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
  },

  async respondWithError(world) {
    const exchange = world.inFlight.exchange;
    if (!exchange || exchange.ok) throw new Error('respondWithError needs a failed exchange');
    world.inFlight = {};
    world.wire.record(responseMessage(exchange.response));
    return { type: 'server.loginFailed', status: exchange.response.status, ...exchange.response.body.error };
  },

  async callWxCheckSession(world) {
    world.wire.record({ from: 'miniprogram', to: 'client', label: 'wx.checkSession()' });
    world.wire.record({ from: 'client', to: 'wechat', label: '（微信内部）最近一次 code 对应的 session_key 还有效吗？' });
    const result = world.client.checkSession();
    if (!result.ok) forgetLogin(world);
    world.wire.record({ from: 'wechat', to: 'client', label: result.ok ? '有效' : '已失效', tone: result.ok ? 'normal' : 'error' });
    world.wire.record({
      from: 'client',
      to: 'miniprogram',
      label: result.ok ? 'success' : 'fail',
      payload: { errMsg: result.errMsg },
      tone: result.ok ? 'normal' : 'error',
    });
    return { type: result.ok ? 'wx.sessionValid' : 'wx.sessionExpired' };
  },

  async requestProfile(world, snapshot) {
    const result = await world.client.request({
      url: `${DEVELOPER_ORIGIN}/api/me`,
      method: 'GET',
      header: { authorization: `Bearer ${snapshot.context.token ?? ''}` },
    });
    if (!result.ok) throw new Error(result.errMsg);
    if (result.statusCode === 200) return { type: 'server.profileReturned', openid: (result.data as { openid: string }).openid };
    const { error } = result.data as ApiErrorBody;
    forgetLogin(world);
    return { type: 'server.unauthorized', code: error.code, message: error.message };
  },

  async resendUsedCode(world, snapshot) {
    const result = await world.client.request({
      url: `${DEVELOPER_ORIGIN}/api/login`,
      method: 'POST',
      data: { code: snapshot.context.code },
    });
    if (!result.ok) throw new Error(result.errMsg);
    if (result.statusCode === 200) throw new Error('a used code must never yield a second session');
    const { error } = result.data as ApiErrorBody;
    return { type: 'server.loginFailed', status: result.statusCode, ...error };
  },

  async requestWeChatApiDirectly(world) {
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
  },
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

const advance = clockControl<LoginWorld>;

export const loginControls: readonly Control<LoginWorld, LoginEvent>[] = [
  user('login', '登录', { type: 'user.tappedLogin' }, '用户点击小程序里的「登录」按钮'),
  user('profile', '请求我的资料', { type: 'user.openedProfile' }, '带着登录态请求 GET /api/me'),
  user('relaunch', '重启小程序', { type: 'app.relaunched' }, '冷启动：onLaunch 里调用 wx.checkSession'),
  user('resubmit', '重复提交刚才的 code', { type: 'user.resubmittedCode' }, '把已经用过的 code 再发给服务器一次'),
  user('direct', '小程序直连微信接口', { type: 'user.calledWeChatApiDirectly' }, '错误做法：在小程序里请求 api.weixin.qq.com'),
  advance('plus-1m', '+1 分钟', MINUTE),
  advance('plus-6m', '+6 分钟', 6 * MINUTE),
  advance('plus-2h', '+2 小时', 2 * HOUR),
  {
    kind: 'world',
    id: 'busy',
    label: '微信繁忙 -1',
    hint: '下一次 code2Session 返回 errcode -1',
    apply: (world) => world.wechat.injectFault('jscode2session', -1),
    active: (world) => world.wechat.pendingFault('jscode2session') === -1,
  },
  {
    kind: 'world',
    id: 'quota',
    label: '频率限制 45011',
    hint: '下一次 code2Session 返回 errcode 45011',
    apply: (world) => world.wechat.injectFault('jscode2session', 45011),
    active: (world) => world.wechat.pendingFault('jscode2session') === 45011,
  },
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
    label: '错误设计：把 session_key 下发给小程序',
    hint: '切换：服务器在登录响应里带上 session_key',
    apply: (world) => {
      world.settings.exposeSessionKey = !world.settings.exposeSessionKey;
    },
    active: (world) => world.settings.exposeSessionKey,
  },
];

const effectDescriptions: Record<LoginEffect, string> = {
  callWxLogin: '微信客户端处理 wx.login()',
  sendCodeToServer: '把 code 发给开发者服务器',
  exchangeCodeWithWeChat: '开发者服务器调用 code2Session',
  issueToken: '开发者服务器保存 session_key，签发登录态',
  respondWithError: '开发者服务器把错误告诉小程序',
  callWxCheckSession: '微信客户端处理 wx.checkSession()',
  requestProfile: '带着 token 请求 /api/me',
  resendUsedCode: '把用过的 code 再发一次',
  requestWeChatApiDirectly: '微信客户端处理这次 wx.request',
};

/**
 * The code a reader should look at in each state. The files are the same
 * ones the chapter prints in full, so the panel and the page never disagree.
 */
const codeByState: Record<string, { file: string; region: string }> = {
  signedOut: { file: 'login/miniprogram/pages/index/index.ts', region: 'login-tap' },
  'loggingIn.requestingCode': { file: 'login/miniprogram/utils/auth.ts', region: 'login' },
  'loggingIn.awaitingServer.requestInFlight': { file: 'login/server/routes/auth.ts', region: 'route' },
  'loggingIn.awaitingServer.exchangingCode': { file: 'login/server/routes/auth.ts', region: 'code2session' },
  'loggingIn.awaitingServer.issuingToken': { file: 'login/server/routes/auth.ts', region: 'issue-token' },
  'loggingIn.awaitingServer.respondingWithError': { file: 'login/server/routes/auth.ts', region: 'map-errors' },
  loggedIn: { file: 'login/miniprogram/utils/auth.ts', region: 'store-token' },
  checkingSession: { file: 'login/miniprogram/utils/auth.ts', region: 'check-session' },
  fetchingProfile: { file: 'login/miniprogram/utils/request.ts', region: 'retry-on-401' },
  resubmittingCode: { file: 'login/server/routes/auth.ts', region: 'map-errors' },
  callingWeChatDirectly: { file: 'login/miniprogram/utils/wrong.ts', region: 'direct-call' },
};

/** Every file the code panel offers, in reading order. */
export const loginSampleFiles = [
  'login/miniprogram/pages/index/index.wxml',
  'login/miniprogram/pages/index/index.ts',
  'login/miniprogram/app.ts',
  'login/miniprogram/utils/auth.ts',
  'login/miniprogram/utils/request.ts',
  'login/miniprogram/utils/http.ts',
  'login/server/routes/auth.ts',
  'login/server/store.ts',
  'login/miniprogram/utils/wrong.ts',
] as const;

function view(world: LoginWorld) {
  const storage = world.client.storageSnapshot();
  const holdings: HolderRow[] = [];
  for (const [key, value] of Object.entries(storage)) {
    holdings.push({ holder: 'miniprogram', item: `storage.${key}`, value: String(value), secret: key === 'session_key' });
  }
  for (const record of world.sessions.records.values()) {
    holdings.push({ holder: 'developer', item: 'openid', value: record.openid });
    holdings.push({ holder: 'developer', item: 'session_key', value: record.sessionKey, secret: true });
    if (record.unionid) holdings.push({ holder: 'developer', item: 'unionid', value: record.unionid });
  }
  holdings.push({ holder: 'developer', item: 'AppSecret', value: '（配置在服务器环境变量里）', secret: true });
  const current = world.wechat.currentSessionKey(DEMO_APP.appid, DEMO_USER.id);
  holdings.push({ holder: 'wechat', item: '当前 session_key', value: current ?? '（无有效会话）', secret: current !== undefined });

  const findings: Finding[] = [];
  if (storage.session_key !== undefined) {
    findings.push({
      level: 'danger',
      title: '安全错误：session_key 到了小程序里',
      detail:
        '官方文档：“开发者服务器不应该把会话密钥下发到小程序，也不应该对外提供这个密钥。” 拿到 session_key 的人可以解密用户的加密数据、伪造签名。',
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
        '官方文档：“出于安全考虑，api.weixin.qq.com 不能被配置为服务器域名，相关 API 也不能在小程序内调用。” 能这样调用就意味着 AppSecret 在小程序代码包里。',
      href: NETWORK_DOC,
    });
  }
  return { clock: world.clock.now(), holdings, findings };
}

export const loginSimulation: SimulationDefinition<LoginMachine, LoginWorld> = {
  flow: 'login',
  title: '小程序登录',
  machine: loginMachine,
  effects: Object.keys(effects),
  createWorld: () => Object.assign(createSimulatedWorld(), { inFlight: {}, directCallAttempted: false }),
  async runEffect(effect, world, snapshot, recorder) {
    const run = effects[effect as LoginEffect];
    if (!run) throw new Error(`unknown effect ${effect}`);
    world.wire = recorder;
    try {
      return await run(world, snapshot);
    } finally {
      world.wire = { record: () => {} };
    }
  },
  controls: loginControls,
  view,
  code: (state) => codeByState[state] ?? null,
  describeEffect: (effect) => effectDescriptions[effect as LoginEffect] ?? effect,
};
