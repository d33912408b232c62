import type { Frame } from '../../kit/engine/engine.ts';
import type { PhoneProps } from '../../kit/shell/SimulatorShell.tsx';
import { held } from '../../kit/shell/held.ts';
import { joinWords } from '../../kit/shell/format.ts';
import { PhoneToast } from '../../kit/shell/PhoneToast.tsx';
import { PhoneStatusBar } from '../../kit/shell/PhoneFrame.tsx';
import { DemoAppPhone } from '../shared/DemoAppPhone.tsx';
import { DEMO_APP } from '../../world/simulated-world.ts';
import { ENTRANCES, INVALID_SCENE, SCENE_NAMES } from '../../world/wechat/launch-app.ts';
import type { LaunchAppContext } from './machine.ts';
import { APP_PARAMETER, DEMO_NATIVE_APP, entranceControl } from './simulation.ts';
import './phone.css';

/** WeChat's hidden flag, drawn as the ticket it is. Real WeChat shows nothing of it. */
function Ticket({ held: on }: { held: boolean }) {
  return (
    <p className={on ? 'la-ticket la-ticket--held' : 'la-ticket'} data-ticket={on ? 'held' : 'none'}>
      <span className="la-ticket__stub" aria-hidden="true">
        {on ? '票' : '✕'}
      </span>
      {on ? `回${DEMO_NATIVE_APP.name} 的车票：有` : '回 App 的车票：没有'}
      <span className="la-ticket__note">（模拟器才看得见）</span>
    </p>
  );
}

/** The native App: the button that asks WeChat to open the mini program, and what its OpenSDK callback read. */
function AppScreen({ frame, press }: { frame: Frame<LaunchAppContext>; press(id: string): void }) {
  const { context } = frame;
  return (
    <div className="la-screen la-app" role="group" aria-label={joinWords(DEMO_NATIVE_APP.name, '的界面')}>
      <PhoneStatusBar clock={frame.clock} />
      <p className="la-app__title">{DEMO_NATIVE_APP.name}</p>
      <div className="la-app__body">
        <button type="button" className="la-app__button" onClick={() => press('launch-from-app')}>
          去小程序里做练习
        </button>
        <button type="button" className="la-app__link" onClick={() => press('to-wechat')}>
          切到微信
        </button>
        <div className="la-app__log" aria-label="OpenSDK 日志">
          <p className="la-app__log-title">OpenSDK 日志</p>
          {context.extMsg !== null ? (
            <p>
              onResp：extMsg = <code>{context.extMsg}</code>
            </p>
          ) : (
            <p>还没有从小程序回来过</p>
          )}
          {context.refusal && <p className="la-app__error">拉起小程序失败</p>}
        </div>
      </div>
    </div>
  );
}

/** WeChat in front: the entrances the user can come back through. */
function WeChatScreen({ frame, press }: { frame: Frame<LaunchAppContext>; press(id: string): void }) {
  const { context } = frame;
  return (
    <div className="la-screen la-wechat" role="group" aria-label="微信">
      <PhoneStatusBar clock={frame.clock} />
      <p className="la-wechat__title">微信</p>
      <p className="la-wechat__state">「{DEMO_APP.name}」{context.running ? '在后台' : '没有运行'}</p>
      <Ticket held={context.ticket} />
      <p className="la-wechat__caption">从这里回到小程序：</p>
      <ul className="la-wechat__entrances">
        {ENTRANCES.map((scene) => (
          <li key={scene}>
            <button type="button" className="la-wechat__entrance" onClick={() => press(entranceControl(scene))}>
              <span className="la-wechat__scene">{scene}</span>
              {SCENE_NAMES[scene]}
            </button>
          </li>
        ))}
      </ul>
      <div className="la-wechat__actions">
        <button type="button" className="la-app__link" onClick={() => press('to-app')}>
          切回 {DEMO_NATIVE_APP.name}
        </button>
        {context.running && (
          <button type="button" className="la-app__link" onClick={() => press('close-mp')}>
            结束小程序
          </button>
        )}
      </div>
    </div>
  );
}

/** What the user sees: the App, WeChat's entrances, or the mini program page with its launchApp button. */
export function LaunchAppPhone({ phone, frame, press }: PhoneProps<LaunchAppContext>) {
  const { context, busy } = frame;
  const screen = frame.state.startsWith('app.') ? 'app' : frame.state === 'wechat' || frame.state === 'closing' ? 'wechat' : 'miniProgram';
  return (
    <DemoAppPhone
      phone={phone}
      frame={frame}
      overlay={
        <>
          {screen === 'app' && <AppScreen frame={frame} press={press} />}
          {screen === 'wechat' && <WeChatScreen frame={frame} press={press} />}
          <PhoneToast busy={busy} />
        </>
      }
    >
      {screen === 'miniProgram' && (
        <div className="la-page">
          <dl className="la-page__options">
            <dt>scene</dt>
            <dd>{held(frame, 'miniprogram', 'getEnterOptionsSync().scene') || '—'}</dd>
            <dt>referrer</dt>
            <dd>{held(frame, 'miniprogram', 'referrerInfo.appId') || '—'}</dd>
            <dt>app-parameter</dt>
            <dd>{APP_PARAMETER}</dd>
          </dl>
          <Ticket held={context.ticket} />
          <button
            type="button"
            className="sim-mp__button sim-mp__button--primary"
            onClick={() => press('tap-launch-app')}
            aria-busy={busy !== null}
          >
            打开 App
          </button>
          {context.lastError && (
            <p className="sim-mp__danger" role="status">
              binderror：{context.lastError}
              {context.lastError === INVALID_SCENE && <span className="la-page__why">按钮还在，车票没了</span>}
            </p>
          )}
          <button type="button" className="sim-mp__button la-page__secondary" onClick={() => press('to-background')}>
            切到后台
          </button>
        </div>
      )}
    </DemoAppPhone>
  );
}
