import type { PhoneProps } from '../../kit/shell/SimulatorShell.tsx';
import type { PhoneNumberContext } from './machine.ts';
import { PhoneToast } from '../../kit/shell/PhoneToast.tsx';
import { shorten } from '../../kit/shell/format.ts';
import { DemoAppPhone } from '../shared/DemoAppPhone.tsx';


/**
 * What the sample mini program shows the user for each error: short, like a
 * real wx.showToast. The full server message is in the sequence diagram. For
 * 1400001 the mini program shows nothing and WeChat shows its own notice, whose
 * wording the docs do not give: the phone says so in brackets instead of inventing it.
 */
const toastByCode: Record<string, string> = {
  SESSION_KEY_MISMATCH: '请再点一次获取手机号',
  PHONE_CODE_INVALID: '请再点一次获取手机号',
  BAD_ENCRYPTED_DATA: '获取手机号失败',
  BAD_IV: '获取手机号失败',
  // Shown once the page has logged in again, as the companion's loginAndAskAgain says it (pages/phone/phone.ts).
  'checkSession:fail': '登录态已刷新，请再点一次获取手机号',
  'errno 1400001': '（微信弹出默认的半屏提示）',
  TOKEN_EXPIRED: '登录已过期，请重新登录',
};

/** What the user sees in the mini program while it asks for the phone number. */
export function PhoneNumberPhone({ phone, frame, press }: PhoneProps<PhoneNumberContext>) {
  const { context, busy } = frame;
  const canTap = frame.enabled.includes('tap');
  const mode = context.mode === 'old' ? '旧版 · encryptedData' : '新版 · code';

  return (
    <DemoAppPhone
      phone={phone}
      frame={frame}
      overlay={
        <PhoneToast
          busy={busy}
          error={context.lastError && (toastByCode[context.lastError.code] ?? context.lastError.message)}
        />
      }
    >
      <div className="sim-mp">
        <p className="sim-mp__meta">当前方式：{mode}</p>
        {context.phone ? (
          <>
            <p className="sim-mp__headline">手机号已验证</p>
            <p className="sim-mp__meta">
              +{context.phone.countryCode} <code>{context.phone.purePhoneNumber}</code>
            </p>
          </>
        ) : frame.state === 'oldFlow.inCallback' && context.detail ? (
          <>
            <p className="sim-mp__headline">bindgetphonenumber 已触发</p>
            <p className="sim-mp__meta">
              encryptedData <code>{shorten(context.detail.encryptedData, 24)}</code>
            </p>
            <p className="sim-mp__meta">回调接下来做什么？由下方「你的代码」里的四种写法决定。</p>
          </>
        ) : (
          <p className="sim-mp__headline">绑定手机号</p>
        )}
        {context.mode === 'old' && context.token === null && !busy ? (
          <>
            <p className="sim-mp__meta">旧版要先登录，服务器才有 session_key</p>
            <button type="button" className="sim-mp__button sim-mp__button--primary" onClick={() => press('login')}>
              登录
            </button>
          </>
        ) : (
          <button
            type="button"
            className="sim-mp__button sim-mp__button--primary"
            onClick={() => press('tap')}
            aria-disabled={!canTap}
          >
            手机号快捷登录
          </button>
        )}
      </div>
    </DemoAppPhone>
  );
}
