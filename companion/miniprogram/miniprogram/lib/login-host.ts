/**
 * src/flows/login.ts with real effects: wx.login, the developer server,
 * wx.checkSession. One host for the whole app (created in app.ts onLaunch),
 * because the login state is the app's, not a page's.
 *
 * Storage mirrors the machine's token: when the machine stores one it is
 * saved, when it forgets one (checkSession failed, a 401) it is removed.
 */
import { callServer } from './api';
import { createActor, loginMachine } from './flows';
import type { LoginMachine, SnapshotFrom } from './flows';
import { FlowHost } from './host';
import { clearSession, readSession, saveSession } from './session';
import { checkSession, exchangeCode, getLoginCode } from './wechat';

export type LoginHost = FlowHost<LoginMachine>;
type LoginSnapshot = SnapshotFrom<LoginMachine>;

export function createLoginHost(): LoginHost {
  let host: LoginHost;
  const machine = loginMachine.provide({
    actions: {
      callWxLogin: ({ self }) => {
        void getLoginCode().then((result) => {
          if (result.ok) self.send({ type: 'wx.loginSucceeded', code: result.code });
          // The flow has no event for this: start over from what storage says.
          else host.restart(`wx.login 失败：${result.errMsg}`);
        });
      },
      sendCodeToServer: ({ context, self }) => {
        void exchangeCode(context.code ?? '').then((result) =>
          self.send(
            result.ok
              ? { type: 'server.tokenIssued', token: result.data.token, openid: result.data.openid }
              : { type: 'server.loginFailed', status: result.status, code: result.code, message: result.message },
          ),
        );
      },
      callWxCheckSession: ({ self }) => {
        void checkSession().then((valid) => self.send({ type: valid ? 'wx.sessionValid' : 'wx.sessionExpired' }));
      },
      requestProfile: ({ context, self }) => {
        void callServer<{ openid: string }>({ method: 'GET', path: '/api/me', token: context.token }).then((result) => {
          if (result.ok) self.send({ type: 'server.profileReturned', openid: result.data.openid });
          // 401 is the server saying "log in again"; the machine does that at once.
          else if (result.status === 401) self.send({ type: 'server.unauthorized', code: result.code, message: result.message });
          else host.restart(`请求 /api/me 失败：${result.message}`);
        });
      },
    },
  });

  const start = () => {
    const stored = readSession();
    const snapshot = stored
      ? machine.resolveState({
          value: 'loggedIn',
          context: { code: null, token: stored.token, openid: stored.openid, sessionKeyOnClient: false, lastError: null },
        })
      : undefined;
    const actor = createActor(machine, snapshot ? { snapshot } : {});
    actor.subscribe((s) => mirrorToStorage(s));
    return actor.start();
  };
  host = new FlowHost(start);
  return host;
}

function mirrorToStorage(snapshot: LoginSnapshot): void {
  const { token, openid } = snapshot.context;
  const stored = readSession();
  if (token && openid) {
    if (stored?.token !== token) saveSession(token, openid);
  } else if (stored) {
    clearSession();
  }
}

/**
 * onLaunch: with a stored token, ask WeChat whether its session is still
 * alive (wx.checkSession is rate-limited; the docs ask for onLaunch, not onShow).
 */
export function launchLogin(host: LoginHost): void {
  if (host.snapshot.matches('loggedIn')) host.send({ type: 'app.relaunched' });
}

/**
 * The 手机号 page logs in (and drops dead tokens) on its own; when this host
 * is idle and storage says otherwise, storage wins.
 */
export function adoptStoredSession(host: LoginHost): void {
  const idle = host.snapshot.matches('signedOut') || host.snapshot.matches('loggedIn');
  if (idle && (readSession()?.token ?? null) !== host.snapshot.context.token) host.restart(null);
}

const STATUS: Array<[state: Parameters<LoginSnapshot['matches']>[0], text: string]> = [
  [{ loggingIn: 'requestingCode' }, '正在调用 wx.login 获取 code…'],
  [{ loggingIn: 'awaitingServer' }, '正在把 code 发给开发者服务器…'],
  ['checkingSession', '正在用 wx.checkSession 检查登录态…'],
  ['fetchingProfile', '正在请求 GET /api/me…'],
  ['loggedIn', '已登录'],
  ['signedOut', '未登录'],
];

/** What the 登录 page shows; the page renders these fields and nothing else. */
export function loginView(snapshot: LoginSnapshot, notice: string | null) {
  const { token, openid, lastError } = snapshot.context;
  const loggedIn = snapshot.matches('loggedIn');
  return {
    status: STATUS.find(([state]) => snapshot.matches(state))?.[1] ?? '',
    busy: !loggedIn && !snapshot.matches('signedOut'),
    canLogin: snapshot.can({ type: 'user.tappedLogin' }),
    canCheckProfile: snapshot.can({ type: 'user.openedProfile' }),
    openid: openid ?? '',
    // Enough to see it change after a re-login; the whole token has no business on screen.
    tokenPreview: token ? `${token.slice(0, 16)}…` : '',
    error: lastError ? `${lastError.code}：${lastError.message}` : '',
    notice: notice ?? '',
  };
}
