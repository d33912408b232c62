import type { Frame } from '../../kit/engine/engine.ts';
import type { PhoneProps } from '../../kit/shell/SimulatorShell.tsx';
import type { AuthorizationContext, FlowScope } from './machine.ts';
import { DEFAULT_LOCATION_DESC, FEATURES } from './simulation.ts';
import { LIVE_SCOPES, SCOPE_INFO } from '../../world/wechat/authorization.ts';
import { DEMO_APP } from '../../world/simulated-world.ts';
import { PhoneFrame } from '../../kit/shell/PhoneFrame.tsx';
import { DialogAnswers, PhoneDialog } from '../../kit/shell/PhoneDialog.tsx';
import { PhoneToast } from '../../kit/shell/PhoneToast.tsx';
import './phone.css';


/** What WeChat remembers, as the world panel reports it; the phone never reads the world directly. */
function remembered(frame: Frame, scope: string): string {
  return frame.world.holdings.find((row) => row.holder === 'wechat' && row.item === scope)?.value ?? '从未询问';
}

const settingValue: Record<string, string> = { 已允许: 'true', 已拒绝: 'false' };

/**
 * WeChat's toast is gone in about 1.5 s: here it shows on the step whose reply carried the error, not on every step
 * after it, where it would cover the page. Read from the step's messages, so a step back or a shared link agrees.
 */
function failedThisStep(frame: Frame, errMsg: string): boolean {
  return frame.messages.some(
    (message) => message.step === frame.log.length && (message.payload as { errMsg?: unknown } | undefined)?.errMsg === errMsg,
  );
}

/** One row per live scope: WeChat's memory and what `authSetting[scope]` gives the mini program. */
export function ScopeMemoryTable({ frame }: { frame: Frame }) {
  return (
    <table className="auth-memory">
      <caption>微信记住了什么</caption>
      <thead>
        <tr>
          <th scope="col">scope</th>
          <th scope="col">微信记录</th>
          <th scope="col">authSetting</th>
        </tr>
      </thead>
      <tbody>
        {LIVE_SCOPES.map((scope) => {
          const value = remembered(frame, scope);
          return (
            <tr key={scope} data-scope={scope}>
              <th scope="row">
                {SCOPE_INFO[scope].label}
                {/* The column is narrow: writePhotosAlbum wraps between its words, not inside one. */}
                <code>
                  {scope
                    .replace('scope.', '')
                    .split(/(?=[A-Z])/)
                    .flatMap((word, index) => (index === 0 ? [word] : [<wbr key={index} />, word]))}
                </code>
              </th>
              <td className={`auth-memory__answer auth-memory__answer--${settingValue[value] ?? 'none'}`}>{value}</td>
              <td>
                <code>{settingValue[value] ?? '（不出现）'}</code>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ScopeDialog({ scope, locationDesc, press }: { scope: FlowScope; locationDesc: string | null; press(id: string): void }) {
  const info = SCOPE_INFO[scope];
  return (
    <PhoneDialog className="phone-sheet auth-sheet" labelledBy="auth-sheet-title">
      <p className="auth-sheet__app">
        <span className="auth-sheet__icon" aria-hidden="true">
          能
        </span>
        {DEMO_APP.name}
      </p>
      <p id="auth-sheet-title" className="auth-sheet__title">
        「{DEMO_APP.name}」{info.ask}
      </p>
      {scope === 'scope.userLocation' && locationDesc && <p className="auth-sheet__desc">{locationDesc}</p>}
      <DialogAnswers block="auth-sheet" no={{ label: '拒绝', control: 'deny' }} yes={{ label: '允许', control: 'allow' }} press={press} />
    </PhoneDialog>
  );
}

function PrivacyPopup({ press }: { press(id: string): void }) {
  return (
    <PhoneDialog className="phone-sheet auth-privacy" labelledBy="auth-privacy-title">
      <p id="auth-privacy-title" className="auth-privacy__title">
        用户隐私保护提示
      </p>
      <p>
        使用录音、定位、拍照等功能前，请阅读并同意<span className="auth-privacy__link">《能力实验室小程序隐私保护指引》</span>
      </p>
      <p className="auth-privacy__note">这是小程序自己画的弹窗（onNeedPrivacyAuthorization）</p>
      <DialogAnswers block="auth-sheet" no={{ label: '拒绝', control: 'refuse-privacy' }} yes={{ label: '同意', control: 'agree-privacy' }} press={press} />
    </PhoneDialog>
  );
}

function SettingsPage({ rows, press }: { rows: Partial<Record<FlowScope, boolean>>; press(id: string): void }) {
  const listed = FEATURES.filter((f) => f.scope in rows);
  return (
    <PhoneDialog className="auth-settings" labelledBy="auth-settings-title">
      <div className="auth-settings__nav">
        <button type="button" className="auth-settings__back" onClick={() => press('leave-settings')}>
          ‹ 返回
        </button>
        <span id="auth-settings-title">设置</span>
      </div>
      <p className="auth-settings__caption">允许「{DEMO_APP.name}」使用</p>
      {listed.length === 0 ? (
        <p className="auth-settings__empty">这个小程序还没有向你申请过任何权限</p>
      ) : (
        <ul className="auth-settings__list">
          {listed.map((feature) => {
            const on = rows[feature.scope] === true;
            return (
              <li key={feature.scope}>
                <span>{SCOPE_INFO[feature.scope].label}</span>
                <button
                  type="button"
                  role="switch"
                  aria-checked={on}
                  aria-label={SCOPE_INFO[feature.scope].label}
                  className="auth-switch"
                  onClick={() => press(`switch-${feature.id}`)}
                >
                  <span className="auth-switch__knob" aria-hidden="true" />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <p className="auth-settings__note">只列出小程序问过的权限</p>
    </PhoneDialog>
  );
}

/** The mini program's page and WeChat's own UI over it, at each step of the authorization flow. */
export function AuthorizationPhone({ phone, frame, press }: PhoneProps<AuthorizationContext>) {
  const { context, state, busy } = frame;
  const leaf = state.split('.').at(-1);
  const scope = context.call?.scope;
  // The world switch is the only way the declaration goes missing, and the frame says whether it is on.
  const declared = !frame.active.includes('no-permission');
  const onDemand = context.strategy === 'onDemand';
  const deniedFeatures = onDemand ? FEATURES.filter((f) => context.known[f.scope] === false) : [];

  // Deleting the mini program or clearing its data happens in WeChat, with the mini program closed: the phone
  // shows WeChat, whether the reader started from there or from inside the mini program.
  const inWeChat = state === 'closed' || state === 'deletingMiniProgram' || state === 'clearingAuthData';
  const dialogOpen = leaf === 'scopeDialog' || leaf === 'privacyPrompt' || (state.startsWith('settingsPage') && context.settingsRows !== null);
  const overlay = (
    <>
      {leaf === 'scopeDialog' && scope && <ScopeDialog scope={scope} locationDesc={declared ? DEFAULT_LOCATION_DESC : null} press={press} />}
      {leaf === 'privacyPrompt' && <PrivacyPopup press={press} />}
      {state.startsWith('settingsPage') && context.settingsRows && <SettingsPage rows={context.settingsRows} press={press} />}
      <PhoneToast
        busy={busy}
        error={
          state === 'ready' && context.lastError && !(onDemand && context.lastError.includes('auth deny')) && failedThisStep(frame, context.lastError)
            ? context.lastError
            : null
        }
      />
    </>
  );

  return (
    <div className="auth-side">
      <PhoneFrame phone={phone} title={inWeChat ? '微信' : DEMO_APP.name} clock={frame.clock} overlay={overlay} modal={dialogOpen}>
        {inWeChat ? (
          <div className="sim-mp">
            <div className="sim-mp__avatar" aria-hidden="true">
              能
            </div>
            <p className="sim-mp__headline">{DEMO_APP.name}</p>
            <p className="sim-mp__meta">选择一种写法启动小程序</p>
            <button type="button" className="sim-mp__button" aria-disabled={!frame.enabled.includes('launch-upfront')} onClick={() => press('launch-upfront')}>
              策略 A：启动就全部申请
            </button>
            <button
              type="button"
              className="sim-mp__button sim-mp__button--primary"
              aria-disabled={!frame.enabled.includes('launch-ondemand')}
              onClick={() => press('launch-ondemand')}
            >
              策略 B：用到时再申请
            </button>
          </div>
        ) : (
          <div className="auth-page">
            <p className="auth-page__strategy">{onDemand ? '策略 B：用到时再申请' : '策略 A：启动就全部申请'}</p>
            <ul className="auth-features">
              {FEATURES.map((feature) => {
                const result = context.results[feature.scope];
                return (
                  <li key={feature.id} className="auth-feature">
                    <button type="button" className="auth-feature__button" onClick={() => press(feature.id)}>
                      {feature.label}
                    </button>
                    <div className="auth-feature__text">
                      {onDemand && <span className="auth-feature__why">{feature.why}</span>}
                      {result && (
                        <span className={result.ok ? 'auth-feature__ok' : 'auth-feature__fail'}>{result.ok ? '✓ 可以使用' : '✗ 失败'}</span>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
            {deniedFeatures.length > 0 && (
              <div className="auth-explain">
                <p>
                  {deniedFeatures.map((f) => f.why).join('；')}。你之前拒绝了{deniedFeatures.map((f) => `「${SCOPE_INFO[f.scope].label}」`).join('')}
                  权限，可以在设置页里重新打开。
                </p>
                <button type="button" className="sim-mp__button sim-mp__button--primary" onClick={() => press('open-setting')}>
                  去设置
                </button>
              </div>
            )}
          </div>
        )}
      </PhoneFrame>
      <ScopeMemoryTable frame={frame} />
    </div>
  );
}
