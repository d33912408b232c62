/**
 * src/flows/phone-number.ts with real effects. This mini program takes the
 * path the chapter recommends for the old flow: the bindgetphonenumber
 * callback calls wx.checkSession before sending encryptedData, because data
 * encrypted with a session_key the server no longer holds cannot be decrypted.
 *
 * WeChat's button delivers its result in one event, after the user has
 * chosen; the machine models the steps inside it. `phoneButtonEvent` keeps the
 * event's detail and sends the tap; the `deliver…` effects then hand the
 * detail to the machine as the events it expects.
 */
import { config } from '../config';
import { callServer, type ApiResult } from './api';
import { createActor, phoneNumberMachine } from './flows';
import type { PhoneNumberEvent, PhoneNumberMachine, PhoneResult, SnapshotFrom } from './flows';
import { FlowHost } from './host';
import { clearSession, readSession, saveSession } from './session';
import { checkSession, exchangeCode, getEncryptedPhone, getLoginCode, getPhoneCode } from './wechat';

export type PhoneHost = FlowHost<PhoneNumberMachine> & { phoneButtonEvent(detail: PhoneButtonDetail): void };
type PhoneSnapshot = SnapshotFrom<PhoneNumberMachine>;

/** e.detail of bindgetphonenumber: encryptedData/iv (old), code (基础库 2.21.2+), errno on failure. */
export interface PhoneButtonDetail {
  errMsg: string;
  encryptedData?: string;
  iv?: string;
  code?: string;
  errno?: number;
}

/** The quick-verification component's quota is used up; WeChat answers the tap with this errno. */
const QUOTA_EXHAUSTED = 1400001;

export function createPhoneHost(): PhoneHost {
  let pending: PhoneButtonDetail | null = null;
  let host: PhoneHost;

  const settle = (send: (event: PhoneNumberEvent) => void) => (result: ApiResult<PhoneResult>) => {
    if (result.ok) {
      send({ type: 'server.phoneReturned', ...pickPhone(result.data) });
    } else if (result.status === 401) {
      // The token is dead. The flow would keep offering a button that cannot work; start over signed out instead.
      clearSession();
      host.restart(`登录态已失效（${result.code}），请重新登录后再试。`);
    } else {
      send({ type: 'server.phoneRejected', status: result.status, code: result.code, message: result.message });
    }
  };

  const machine = phoneNumberMachine.provide({
    actions: {
      callWxLogin: ({ self }) => {
        void getLoginCode().then((result) => {
          if (result.ok) self.send({ type: 'wx.loginSucceeded', code: result.code });
          else host.restart(`wx.login 失败：${result.errMsg}`);
        });
      },
      sendLoginCode: ({ context, self }) => {
        void exchangeCode(context.loginCode ?? '').then((result) => {
          if (!result.ok) {
            self.send({ type: 'server.loginFailed', status: result.status, code: result.code, message: result.message });
            return;
          }
          saveSession(result.data.token, result.data.openid);
          self.send({ type: 'server.loginSucceeded', token: result.data.token });
        });
      },
      deliverEncryptedData: ({ self }) => {
        void getEncryptedPhone(takePending()).then((result) => {
          if (!result.ok) {
            host.restart(result.errMsg);
            return;
          }
          self.send({ type: 'wx.phoneNumberEncrypted', encryptedData: result.encryptedData, iv: result.iv });
          // This mini program's callback always checks the session before sending (the chapter's recommended branch).
          self.send({ type: 'user.calledCheckSession' });
        });
      },
      callWxCheckSession: ({ self }) => {
        void checkSession().then((valid) => {
          if (!valid) clearSession();
          self.send({ type: valid ? 'wx.sessionValid' : 'wx.sessionExpired' });
        });
      },
      sendEncryptedData: ({ context, self }) => {
        const { encryptedData = '', iv = '' } = context.detail ?? {};
        void callServer<PhoneResult>({ method: 'POST', path: '/api/phone/decrypt', token: context.token, body: { encryptedData, iv } }).then(
          settle((event) => self.send(event)),
        );
      },
      deliverPhoneCode: ({ self }) => {
        const detail = takePending();
        if (detail.errno === QUOTA_EXHAUSTED) {
          self.send({ type: 'wx.phoneQuotaExhausted', errno: QUOTA_EXHAUSTED, errMsg: detail.errMsg });
          return;
        }
        void getPhoneCode(detail.code).then((result) => {
          if (result.ok) self.send({ type: 'wx.phoneCodeIssued', code: result.code });
          else host.restart(result.errMsg);
        });
      },
      sendPhoneCode: ({ context, self }) => {
        void callServer<PhoneResult>({ method: 'POST', path: '/api/phone/code', token: context.token, body: { code: context.phoneCode ?? '' } }).then(
          settle((event) => self.send(event)),
        );
      },
    },
  });

  function takePending(): PhoneButtonDetail {
    const detail = pending ?? { errMsg: '' };
    pending = null;
    return detail;
  }

  const start = () => {
    const stored = readSession();
    const snapshot = stored
      ? machine.resolveState({
          value: 'ready',
          context: { mode: 'old', token: stored.token, loginCode: null, detail: null, phoneCode: null, phone: null, lastError: null },
        })
      : undefined;
    return createActor(machine, snapshot ? { snapshot } : {}).start();
  };

  host = Object.assign(new FlowHost(start), {
    phoneButtonEvent(detail: PhoneButtonDetail) {
      const refusedByUser = /deny|cancel/.test(detail.errMsg);
      // With the emulator standing in for WeChat, the real button's verdict does not matter (a tourist
      // AppID always gets "no permission"); only the user's own refusal does.
      const usable = /:ok$/.test(detail.errMsg) || detail.errno === QUOTA_EXHAUSTED || (config.emulator !== null && !refusedByUser);
      if (!usable) {
        // Closing WeChat's sheet is not a step of the flow; nothing reaches the machine.
        host.setNotice(refusedByUser ? '你没有同意提供手机号，可以稍后再试。' : `微信没有给出手机号：${detail.errMsg}`);
        return;
      }
      if (!host.snapshot.can({ type: 'user.tappedPhoneButton' })) {
        host.setNotice('旧流程需要先登录：encryptedData 要用服务器保存的 session_key 解密。');
        return;
      }
      pending = detail;
      host.send({ type: 'user.tappedPhoneButton' });
    },
  });
  return host;
}

/** Only the three fields the page shows, whatever else the server adds. */
function pickPhone(data: PhoneResult): PhoneResult {
  return { phoneNumber: data.phoneNumber, purePhoneNumber: data.purePhoneNumber, countryCode: data.countryCode };
}

const STATUS: Array<[state: Parameters<PhoneSnapshot['matches']>[0], text: string]> = [
  ['loggingIn', '正在登录（wx.login → /api/login）…'],
  [{ oldFlow: 'checkingSession' }, '正在用 wx.checkSession 确认 session_key 仍然有效…'],
  [{ oldFlow: 'uploading' }, '正在把 encryptedData 和 iv 发给服务器解密…'],
  ['oldFlow', '正在处理按钮返回的加密数据…'],
  [{ newFlow: 'requestingCode' }, '正在取得手机号 code…'],
  [{ newFlow: 'sendingCode' }, '正在用 code 向服务器换手机号…'],
  ['phoneVerified', '已取得手机号'],
  ['phoneFailed', '没有取得手机号'],
  ['ready', '已登录，可以获取手机号'],
  ['signedOut', '未登录'],
];

export function phoneView(snapshot: PhoneSnapshot, notice: string | null) {
  const { mode, phone, lastError, token } = snapshot.context;
  const idle = ['signedOut', 'ready', 'phoneVerified', 'phoneFailed'].some((state) => snapshot.matches(state as 'ready'));
  return {
    mode,
    status: STATUS.find(([state]) => snapshot.matches(state))?.[1] ?? '',
    busy: !idle,
    loggedIn: token !== null,
    canLogin: idle,
    canTapPhoneButton: snapshot.can({ type: 'user.tappedPhoneButton' }),
    phoneNumber: phone?.phoneNumber ?? '',
    countryCode: phone?.countryCode ?? '',
    error: lastError ? `${lastError.code}：${lastError.message}` : '',
    notice: notice ?? '',
  };
}
