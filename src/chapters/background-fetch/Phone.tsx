import type { Frame } from '../../kit/engine/engine.ts';
import type { PhoneProps } from '../../kit/shell/SimulatorShell.tsx';
import { held } from '../../kit/shell/held.ts';
import { PhoneToast } from '../../kit/shell/PhoneToast.tsx';
import { PhoneStatusBar } from '../../kit/shell/PhoneFrame.tsx';
import { DemoAppPhone } from '../shared/DemoAppPhone.tsx';
import { DEMO_APP } from '../../world/simulated-world.ts';
import type { BackgroundFetchContext, Entrance } from './machine.ts';
import { openControl } from './simulation.ts';
import { ENTRANCES } from './world.ts';
import './phone.css';

const ENTRANCE_ORDER: readonly Entrance[] = ['card', 'recent', 'moments'];

/** WeChat in front (the mini program closed or in the background): where the user can open it from. */
function WeChatScreen({ frame, press }: { frame: Frame<BackgroundFetchContext>; press(id: string): void }) {
  const inBackground = frame.state === 'background';
  return (
    <div className="bf-screen bf-wechat" role="group" aria-label="微信">
      <PhoneStatusBar clock={frame.clock} />
      <p className="bf-wechat__title">微信</p>
      <p className="bf-wechat__state">
        「{DEMO_APP.name}」{inBackground ? '在后台' : frame.state === 'closing' ? '正在结束' : '没有运行'}
      </p>
      <p className="bf-wechat__cache">
        <span className="bf-wechat__cache-label">（模拟器才看得见）</span>
        微信客户端已在后台拉取 {frame.context.periodicFetches} 次
        {frame.context.periodicActive ? '' : '，已停止'}
      </p>
      <ul className="bf-wechat__entrances">
        {ENTRANCE_ORDER.map((entrance) => (
          <li key={entrance}>
            <button type="button" className="bf-wechat__entrance" onClick={() => press(openControl(entrance))} disabled={inBackground}>
              <span className="bf-wechat__scene">{ENTRANCES[entrance].scene}</span>
              {ENTRANCES[entrance].label}
            </button>
          </li>
        ))}
      </ul>
      {inBackground && (
        <div className="bf-wechat__actions">
          <button type="button" className="bf-link" onClick={() => press('return')}>
            回到小程序
          </button>
          <button type="button" className="bf-link" onClick={() => press('close')}>
            结束小程序
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * The cold start: WeChat's splash while the code package downloads and App.onLaunch runs.
 * The splash carries the busy text itself, so no toast covers the app's name.
 */
function Splash({ frame }: { frame: Frame<BackgroundFetchContext> }) {
  return (
    <div className="bf-screen bf-splash" role="group" aria-label="启动页">
      <PhoneStatusBar clock={frame.clock} />
      <div className="bf-splash__body">
        <span className="bf-splash__logo" aria-hidden="true" />
        <p className="bf-splash__name">{DEMO_APP.name}</p>
        {frame.busy && (
          <p className="bf-splash__busy" role="status">
            {frame.busy}
          </p>
        )}
        <p className="bf-splash__step">{frame.state === 'coldStart.downloading' ? '下载代码包…' : 'App.onLaunch…'}</p>
      </div>
    </div>
  );
}

/** What the user sees: WeChat, the splash of a cold start, or the page with the data it used. */
export function BackgroundFetchPhone({ phone, frame, press }: PhoneProps<BackgroundFetchContext>) {
  const { busy, state } = frame;
  const onWeChat = state === 'closed' || state === 'closing' || state === 'background';
  const starting = state.startsWith('coldStart.');
  const used = held(frame, 'miniprogram', '页面用的数据');
  return (
    <DemoAppPhone
      phone={phone}
      frame={frame}
      overlay={
        <>
          {onWeChat && <WeChatScreen frame={frame} press={press} />}
          {starting && <Splash frame={frame} />}
          {!starting && <PhoneToast busy={busy} />}
        </>
      }
    >
      {!onWeChat && !starting && (
        <div className="bf-page">
          <p className="bf-page__title">{frame.context.entrance === 'recent' ? '首页' : '第 42 号课程'}</p>
          <dl className="bf-page__rows">
            <dt>页面用的数据</dt>
            <dd data-page-data>{used}</dd>
            <dt>来自</dt>
            <dd>{held(frame, 'miniprogram', '数据从哪来')}</dd>
            <dt>读 pre</dt>
            <dd>{held(frame, 'miniprogram', "读 'pre' 的结果") || '—'}</dd>
          </dl>
          <button type="button" className="sim-mp__button bf-page__button" onClick={() => press('leave')}>
            回到微信
          </button>
        </div>
      )}
    </DemoAppPhone>
  );
}
