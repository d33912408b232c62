/**
 * The 获取手机号 simulator: the phone-number machine bound to the simulated
 * world. Nothing is staged: WeChat really encrypts with its session_key of
 * the moment (AES-128-CBC via crypto.ts), the developer server really
 * decrypts with the key it stored, and a rotation in between really fails.
 */
import type { SnapshotFrom } from 'xstate';
import { HOUR } from '../../world/support/clock.ts';
import type { PhoneNumberBody } from '../../world/developer/developer-server.ts';
import { createSimulatedWorld, DEMO_APP, DEMO_USER, DEVELOPER_ORIGIN, type SimulatedWorld } from '../../world/simulated-world.ts';
import { type NoQuota, OLD_PHONE_DOC, PHONE_FEE_FEN, PHONE_TRIAL_QUOTA } from '../../world/wechat/phone-numbers.ts';
import { phoneNumberMachine, type PhoneNumberEffect, type PhoneNumberEvent, type PhoneNumberMachine } from './machine.ts';
import { clockControl, codeChoice, effectBuilder, stateMeta, userControl } from '../../kit/engine/controls.ts';
import { defineSimulation, type Control, type EffectSpec, type Finding, type HolderRow, type StateMeta, type WorldView } from '../../kit/engine/definition.ts';
import { CORE, CRYPTO, MINIPROGRAM, SERVER } from '../shared/code-files.ts';
import { ONE_PHONE_STAGE } from '../shared/lanes.ts';
import { appSecretRow, storageRows, wechatSessionKeyRow } from '../shared/holdings.ts';
import { CODE_LIFETIME_MINUTES, pastCodeLifetime } from '../shared/controls.ts';
import { bearer, currentSessionKey, keyTag, wxCheckSession, wxLogin, wxRequest } from '../shared/wx.ts';

/** One decryption attempt of the old flow, as only the world can see it. */
export interface DecryptAttempt {
  /** The session_key WeChat used when the button was tapped. */
  encryptedWith: string;
  /** The session_key the developer server had stored when the data arrived. */
  decryptedWith: string | null;
  via: 'body' | 'query';
  ok: boolean;
  errorCode?: string;
}

export interface PhoneNumberWorld extends SimulatedWorld {
  /** The key WeChat encrypted the pending e.detail with. */
  encryptedWith: string | null;
  attempts: DecryptAttempt[];
}

type PhoneSnapshot = SnapshotFrom<PhoneNumberMachine>;

function storedSessionKey(world: PhoneNumberWorld): string | null {
  const openid = world.wechat.issuedOpenid(DEMO_APP.appid, DEMO_USER.id);
  return (openid && world.sessions.records.get(openid)?.sessionKey) ?? null;
}

const currentKey = currentSessionKey;

async function uploadEncrypted(world: PhoneNumberWorld, snapshot: PhoneSnapshot, via: 'body' | 'query'): Promise<PhoneNumberEvent> {
  const detail = snapshot.context.detail;
  if (!detail) throw new Error('no e.detail to upload');
  const decryptedWith = storedSessionKey(world);
  // The wrong way: the Base64 goes into the URL as it is, so its + and / are not escaped.
  const url =
    via === 'query'
      ? `${DEVELOPER_ORIGIN}/api/phone/decrypt?encryptedData=${detail.encryptedData}&iv=${detail.iv}`
      : `${DEVELOPER_ORIGIN}/api/phone/decrypt`;
  const result = await wxRequest<PhoneNumberBody>(world, {
    url,
    method: 'POST',
    header: bearer(snapshot.context.token),
    ...(via === 'body' ? { data: { encryptedData: detail.encryptedData, iv: detail.iv } } : {}),
  });
  const attempt: DecryptAttempt = { encryptedWith: world.encryptedWith ?? '', decryptedWith, via, ok: result.ok };
  world.encryptedWith = null;
  if (result.ok) {
    world.attempts.push(attempt);
    return { type: 'server.phoneReturned', ...result.data };
  }
  const { error } = result;
  world.attempts.push({ ...attempt, errorCode: error.code });
  if (error.code === 'TOKEN_EXPIRED' || error.code === 'TOKEN_INVALID') forgetLogin(world);
  return { type: 'server.phoneRejected', status: result.status, ...error };
}

/** Either button with no quota left: WeChat shows its own notice, the callback gets errno 1400001. */
function quotaExhausted(world: PhoneNumberWorld, failure: NoQuota): PhoneNumberEvent {
  world.wire.record({ from: 'wechat', to: 'client', label: '额度不足', tone: 'error', note: '用户会看到默认的半屏提示' });
  world.wire.record({
    from: 'client',
    to: 'miniprogram',
    label: 'bindgetphonenumber',
    payload: { errMsg: failure.errMsg, errno: failure.errno },
    tone: 'error',
  });
  return { type: 'wx.phoneQuotaExhausted', errno: failure.errno, errMsg: failure.errMsg };
}

function forgetLogin(world: PhoneNumberWorld): void {
  world.client.removeStorageSync('token');
}

const effect = effectBuilder<PhoneNumberWorld, PhoneNumberMachine>();

const effects: Record<PhoneNumberEffect, EffectSpec<PhoneNumberWorld, PhoneNumberMachine>> = {
  callWxLogin: effect('client', '微信客户端处理 wx.login()', async (world) => {
    const { code } = wxLogin(world);
    return { type: 'wx.loginSucceeded', code };
  }),

  sendLoginCode: effect('miniprogram', '把登录 code 发给开发者服务器', async (world, snapshot) => {
    const result = await wxRequest<{ token: string }>(world, {
      url: `${DEVELOPER_ORIGIN}/api/login`,
      method: 'POST',
      data: { code: snapshot.context.loginCode },
    });
    if (result.ok) {
      world.client.setStorageSync('token', result.data.token);
      return { type: 'server.loginSucceeded', token: result.data.token };
    }
    forgetLogin(world);
    return { type: 'server.loginFailed', status: result.status, ...result.error };
  }),

  deliverEncryptedData: effect('wechat', '微信加密手机号，触发 bindgetphonenumber', async (world) => {
    world.wire.record({ from: 'miniprogram', to: 'client', label: '用户点击 <button open-type="getPhoneNumber">', note: '必须是用户点击，不能用代码调用' });
    world.wire.record({ from: 'client', to: 'wechat', label: '（微信内部）检查额度，用户同意后请求手机号', note: '旧版按钮同样计费' });
    const tapped = await world.wechat.tapOldPhoneButton(DEMO_APP.appid, DEMO_USER.id);
    if (!tapped.ok) return quotaExhausted(world, tapped);
    const detail = { encryptedData: tapped.encryptedData, iv: tapped.iv };
    const key = currentKey(world) ?? '';
    world.encryptedWith = key;
    world.wire.record({
      from: 'wechat',
      to: 'client',
      label: 'encryptedData + iv',
      payload: detail,
      note: `用微信此刻的 session_key ${keyTag(key)} 加密（AES-128-CBC）；此时计费一次`,
    });
    world.wire.record({
      from: 'client',
      to: 'miniprogram',
      label: 'bindgetphonenumber',
      payload: { errMsg: 'getPhoneNumber:ok', ...detail },
    });
    return { type: 'wx.phoneNumberEncrypted', ...detail };
  }),

  callWxCheckSession: effect('client', '微信客户端处理 wx.checkSession()', async (world) => {
    const { ok } = wxCheckSession(world);
    if (!ok) forgetLogin(world);
    return { type: ok ? 'wx.sessionValid' : 'wx.sessionExpired' };
  }),

  sendEncryptedData: effect('miniprogram', '把 encryptedData、iv 发给服务器解密', (world, snapshot) => uploadEncrypted(world, snapshot, 'body')),
  sendEncryptedDataInQuery: effect('miniprogram', '把 encryptedData、iv 拼进 URL 发给服务器', (world, snapshot) =>
    uploadEncrypted(world, snapshot, 'query'),
  ),

  deliverPhoneCode: effect('wechat', '微信签发手机号 code，触发 bindgetphonenumber', async (world) => {
    world.wire.record({ from: 'miniprogram', to: 'client', label: '用户点击 <button open-type="getPhoneNumber">', note: '新版：不需要先 wx.login' });
    world.wire.record({ from: 'client', to: 'wechat', label: '（微信内部）检查额度，用户同意后签发 code' });
    const issued = world.wechat.issuePhoneCode(DEMO_APP.appid, DEMO_USER.id);
    if (!issued.ok) return quotaExhausted(world, issued);
    world.wire.record({ from: 'wechat', to: 'client', label: 'code', payload: { code: issued.code }, note: `${CODE_LIFETIME_MINUTES} 分钟内有效，只能用一次；此时计费一次` });
    world.wire.record({ from: 'client', to: 'miniprogram', label: 'bindgetphonenumber', payload: { errMsg: 'getPhoneNumber:ok', code: issued.code } });
    return { type: 'wx.phoneCodeIssued', code: issued.code };
  }),

  sendPhoneCode: effect('developer', '服务器用 code 调用 getuserphonenumber', async (world, snapshot) => {
    const result = await wxRequest<PhoneNumberBody>(world, {
      url: `${DEVELOPER_ORIGIN}/api/phone/code`,
      method: 'POST',
      header: bearer(snapshot.context.token),
      data: { code: snapshot.context.phoneCode },
    });
    if (result.ok) return { type: 'server.phoneReturned', ...result.data };
    return { type: 'server.phoneRejected', status: result.status, ...result.error };
  }),
};

const user = userControl<PhoneNumberEvent>;
const code = codeChoice<PhoneNumberEvent>;
const advance = clockControl;

export const phoneNumberControls: readonly Control<PhoneNumberWorld, PhoneNumberEvent>[] = [
  code('old', '用旧版（encryptedData）', { type: 'user.choseOldFlow' }, '旧版：先登录，再解密 encryptedData', (c) => c.mode === 'old'),
  code('new', '用新版（code）', { type: 'user.choseNewFlow' }, '新版：按钮返回 code，服务器调用 getuserphonenumber', (c) => c.mode === 'new'),
  user('login', '登录', { type: 'user.tappedLogin' }, 'wx.login → POST /api/login，服务器保存 session_key'),
  user('tap', '点击获取手机号', { type: 'user.tappedPhoneButton' }, '用户点击 open-type="getPhoneNumber" 的按钮'),
  code('send', '直接上传 encryptedData', { type: 'user.sentEncryptedData' }, '回调里立即 POST /api/phone/decrypt（已提前登录）'),
  code('relogin', '回调里先 wx.login', { type: 'user.calledLoginInCallback' }, '常见错误：回调里再登录一次，可能刷新 session_key'),
  code('check', '回调里先 wx.checkSession', { type: 'user.calledCheckSession' }, '官方建议：先检查登录态，它不会刷新 session_key'),
  code('query', '拼进 URL 上传', { type: 'user.sentInQueryString' }, '错误做法：encryptedData 不编码就拼进查询串'),
  code('resubmit', '重复提交手机号 code', { type: 'user.resubmittedPhoneCode' }, '把用过的新版 code 再发一次'),
  {
    kind: 'world',
    id: 'rotate',
    label: '下次 wx.login 刷新 session_key',
    hint: '切换：微信并非每次 wx.login 都刷新 session_key，这里由你决定下一次是否刷新',
    apply: (world) =>
      world.wechat.setNextRotation(
        DEMO_APP.appid,
        DEMO_USER.id,
        world.wechat.nextRotation(DEMO_APP.appid, DEMO_USER.id) === 'rotate' ? 'auto' : 'rotate',
      ),
    active: (world) => world.wechat.nextRotation(DEMO_APP.appid, DEMO_USER.id) === 'rotate',
  },
  {
    kind: 'world',
    id: 'expire-session',
    label: '让 session_key 过期',
    hint: '微信侧的会话失效，之后 wx.checkSession 会失败',
    apply: (world) => world.wechat.expireSession(DEMO_APP.appid, DEMO_USER.id),
  },
  pastCodeLifetime(`手机号 code 和登录 code 都只有 ${CODE_LIFETIME_MINUTES} 分钟有效期`),
  advance('plus-2h', '+2 小时', 2 * HOUR, '模拟器里的登录态 token 2 小时后过期'),
  {
    kind: 'world',
    id: 'no-quota',
    label: '额度用完 1400001',
    hint: '切换：手机号快速验证组件的额度耗尽',
    apply: (world) => world.wechat.setPhoneQuota(DEMO_APP.appid, world.wechat.phoneQuota(DEMO_APP.appid) > 0 ? 0 : PHONE_TRIAL_QUOTA),
    active: (world) => world.wechat.phoneQuota(DEMO_APP.appid) === 0,
  },
  {
    kind: 'world',
    id: 'force-token',
    label: '别处强制刷新 access_token',
    hint: '另一个服务用 stable_token 的 force_refresh 刷新，本服务器缓存的 access_token 随之失效',
    apply: (world) => {
      world.wechat.stableToken({ grant_type: 'client_credential', appid: DEMO_APP.appid, secret: DEMO_APP.secret, force_refresh: true });
    },
  },
];

const states: Record<string, StateMeta> = {
  signedOut: stateMeta(`${MINIPROGRAM}/pages/phone/phone.wxml`, 'buttons'),
  'loggingIn.requestingCode': stateMeta(`${MINIPROGRAM}/pages/phone/phone.ts`, 'login-ahead', '登录中…'),
  'loggingIn.sendingCode': stateMeta(`${MINIPROGRAM}/pages/phone/phone.ts`, 'login-ahead', '登录中…'),
  ready: stateMeta(`${MINIPROGRAM}/pages/phone/phone.wxml`, 'buttons'),
  'oldFlow.encrypting': stateMeta(`${MINIPROGRAM}/pages/phone/phone.wxml`, 'buttons', '等待用户同意…'),
  'oldFlow.inCallback': stateMeta(`${MINIPROGRAM}/pages/phone/phone.ts`, 'old-callback'),
  'oldFlow.checkingSession': stateMeta(`${MINIPROGRAM}/pages/phone/phone.ts`, 'old-callback', '检查登录态…'),
  'oldFlow.reLoggingIn.requestingCode': stateMeta(`${MINIPROGRAM}/wrong/phone-login-in-callback.ts`, 'login-in-callback', '重新登录中…'),
  'oldFlow.reLoggingIn.sendingCode': stateMeta(`${MINIPROGRAM}/wrong/phone-login-in-callback.ts`, 'login-in-callback', '重新登录中…'),
  'oldFlow.uploading': stateMeta(`${SERVER}/routes/phone.ts`, 'decrypt-route', '验证中…'),
  'oldFlow.uploadingInQuery': stateMeta(`${MINIPROGRAM}/wrong/phone-login-in-callback.ts`, 'query-string', '验证中…'),
  'newFlow.requestingCode': stateMeta(`${MINIPROGRAM}/pages/phone/phone.ts`, 'new-callback', '等待用户同意…'),
  'newFlow.sendingCode': stateMeta(`${SERVER}/routes/phone.ts`, 'code-route', '验证中…'),
  phoneVerified: stateMeta(`${MINIPROGRAM}/pages/phone/phone.ts`, 'callback'),
  phoneFailed: stateMeta(CORE, 'phone-errors'),
};

const codeFiles = [
  `${MINIPROGRAM}/pages/phone/phone.wxml`,
  `${MINIPROGRAM}/pages/phone/phone.ts`,
  `${SERVER}/routes/phone.ts`,
  CORE,
  CRYPTO,
  `${SERVER}/wechat-api.ts`,
  `${MINIPROGRAM}/wrong/phone-login-in-callback.ts`,
] as const;

function view(world: PhoneNumberWorld, snapshot: PhoneSnapshot): WorldView {
  const holdings: HolderRow[] = storageRows(world);
  const { detail } = snapshot.context;
  if (detail) holdings.push({ holder: 'miniprogram', item: 'e.detail.iv', value: detail.iv });

  const stored = storedSessionKey(world);
  if (stored) holdings.push({ holder: 'developer', item: 'session_key（登录时保存）', value: stored, secret: true });
  const cachedToken = world.accessTokens.cached;
  if (cachedToken) holdings.push({ holder: 'developer', item: 'access_token（缓存）', value: cachedToken.token, secret: true });
  holdings.push(appSecretRow, wechatSessionKeyRow(world));
  const last = world.attempts.at(-1);
  if (world.encryptedWith) holdings.push({ holder: 'wechat', item: '加密这份数据用的 session_key', value: world.encryptedWith, secret: true });
  else if (last) holdings.push({ holder: 'wechat', item: '上次加密用的 session_key', value: last.encryptedWith, secret: true });
  if (last) holdings.push({ holder: 'developer', item: '上次解密用的 session_key', value: last.decryptedWith ?? '（无）', secret: true });
  const charges = world.wechat.phoneCharges(DEMO_APP.appid);
  holdings.push({ holder: 'wechat', item: '手机号组件剩余额度', value: String(world.wechat.phoneQuota(DEMO_APP.appid)) });
  if (charges > 0) {
    holdings.push({
      holder: 'wechat',
      item: '成功调用（计费）',
      value: `${charges} 次，额度外每次 ${(PHONE_FEE_FEN / 100).toFixed(2)} 元`,
    });
  }

  const findings: Finding[] = [];
  if (last && !last.ok && last.errorCode === 'SESSION_KEY_MISMATCH') {
    findings.push({
      level: 'danger',
      title: `解密失败：加密用 ${keyTag(last.encryptedWith)}，解密用 ${keyTag(last.decryptedWith)}`,
      detail:
        '官方文档：“在回调中调用 wx.login 登录，可能会刷新登录态。此时服务器使用 code 换取的 sessionKey 不是加密时使用的 sessionKey，导致解密失败。”',
      href: OLD_PHONE_DOC,
    });
  }
  if (last && !last.ok && last.via === 'query') {
    findings.push({
      level: 'danger',
      title: 'encryptedData 在 URL 里被改坏了',
      detail: '查询串里未编码的 + 会被服务器解码成空格，encryptedData 和 iv 就此被改坏。应该放进 JSON 请求体原样发送。',
    });
  }
  if (world.encryptedWith && stored && world.encryptedWith !== stored) {
    findings.push({
      level: 'warning',
      title: '这份 encryptedData 用的不是服务器保存的 session_key',
      detail: `微信用 ${keyTag(world.encryptedWith)} 加密，服务器存的是 ${keyTag(stored)}：现在上传一定解不开。`,
      href: OLD_PHONE_DOC,
    });
  }
  return { holdings, findings };
}

export const phoneNumberSimulation = defineSimulation<PhoneNumberMachine, PhoneNumberWorld>({
  flow: 'phone-number',
  title: '获取手机号',
  machine: phoneNumberMachine,
  ...ONE_PHONE_STAGE,
  effects,
  createWorld: () => Object.assign(createSimulatedWorld('phone-number'), { encryptedWith: null, attempts: [] }),
  controls: phoneNumberControls,
  view,
  states,
  codeFiles,
});
