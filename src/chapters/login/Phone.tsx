import type { PhoneProps } from '../../kit/shell/SimulatorShell.tsx';
import type { LoginContext } from './machine.ts';
import { PhoneToast } from '../../kit/shell/PhoneToast.tsx';
import { shorten } from '../../kit/shell/format.ts';
import { DemoAppPhone } from '../shared/DemoAppPhone.tsx';

/** What the user sees in the mini program at each step of the login flow. */
export function LoginPhone({ phone, frame, press }: PhoneProps<LoginContext>) {
  const { context, busy } = frame;
  const signedIn = context.token !== null;

  return (
    <DemoAppPhone
      phone={phone}
      frame={frame}
      overlay={<PhoneToast busy={busy} error={context.lastError?.message} />}
    >
      <div className="sim-mp">
        <div className="sim-mp__avatar" aria-hidden="true">
          {signedIn ? '林' : '?'}
        </div>
        {signedIn ? (
          <>
            <p className="sim-mp__headline">已登录</p>
            <p className="sim-mp__meta">
              openid <code>{shorten(context.openid ?? '', 20)}</code>
            </p>
            {context.sessionKeyOnClient && <p className="sim-mp__danger">本机存着 session_key（错误设计）</p>}
            <button type="button" className="sim-mp__button" onClick={() => press('profile')}>
              请求我的资料
            </button>
          </>
        ) : (
          <>
            <p className="sim-mp__headline">欢迎来到能力实验室</p>
            <p className="sim-mp__meta">登录后同步你的学习进度</p>
            <button
              type="button"
              className="sim-mp__button sim-mp__button--primary"
              onClick={() => press('login')}
              aria-busy={busy !== undefined}
            >
              登录
            </button>
          </>
        )}
      </div>
    </DemoAppPhone>
  );
}
