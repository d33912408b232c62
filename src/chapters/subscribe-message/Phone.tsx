import type { Frame } from '../../kit/engine/engine.ts';
import type { PhoneProps } from '../../kit/shell/SimulatorShell.tsx';
import { DialogAnswers, PhoneDialog } from '../../kit/shell/PhoneDialog.tsx';
import { PhoneFrame } from '../../kit/shell/PhoneFrame.tsx';
import { held } from '../../kit/shell/held.ts';
import { PhoneToast } from '../../kit/shell/PhoneToast.tsx';
import type { SubscribeContext } from './machine.ts';
import { RESTAURANT } from './world.ts';
import './phone.css';

/** The templates the popup lists: what the client put in the last 弹出订阅框 message. */
function popupTemplates(frame: Frame): string[] {
  const shown = [...frame.messages].reverse().find((message) => message.label === '弹出订阅框');
  const payload = shown?.payload as { 模板?: string[] } | undefined;
  return payload?.模板 ?? [];
}

const STATUS_WORDS: Record<string, string> = { accept: '允许', reject: '拒绝', ban: '封禁', filter: '同名被过滤' };

/** WeChat's subscription popup: a switch per template and 「总是保持以上选择，不再询问」. */
function SubscribePopup({ frame, press }: { frame: Frame<SubscribeContext>; press(id: string): void }) {
  const keep = frame.active.includes('popup-keep');
  const templates = popupTemplates(frame);
  return (
    <PhoneDialog className="phone-sheet sub-popup" labelledBy="sub-popup-title">
      <p id="sub-popup-title" className="sub-popup__title">
        「{RESTAURANT.name}」请求发送以下消息
      </p>
      <ul className="sub-popup__list">
        {templates.map((title) => (
          <li key={title}>
            <span>{title}</span>
            <span className="sub-popup__switch" aria-hidden="true" />
          </li>
        ))}
      </ul>
      <label className="sub-popup__keep">
        <input type="checkbox" checked={keep} onChange={() => press('popup-keep')} />
        总是保持以上选择，不再询问
      </label>
      {templates.length > 1 && (
        <button type="button" className="sub-popup__button sub-popup__button--first" onClick={() => press('popup-first-only')}>
          只允许第一项
        </button>
      )}
      <DialogAnswers block="sub-popup" no={{ label: '取消', control: 'popup-reject' }} yes={{ label: '允许', control: 'popup-allow' }} press={press} />
    </PhoneDialog>
  );
}

/** The 排队取号 page, the result of the last call, and what 服务通知 holds. */
export function SubscribePhone({ phone, frame, press }: PhoneProps<SubscribeContext>) {
  const { context, busy } = frame;
  const popup = frame.state === 'popup';
  const error = context.lastError ? `${context.lastError.errMsg}${context.lastError.errCode ? `（${context.lastError.errCode}）` : ''}` : undefined;
  const statuses = Object.entries(context.lastResult ?? {}).filter(([key]) => key !== 'errMsg');
  const send = context.lastSend;
  return (
    <PhoneFrame
      phone={phone}
      title="排队取号"
      clock={frame.clock}
      modal={popup}
      overlay={popup ? <SubscribePopup frame={frame} press={press} /> : <PhoneToast busy={busy} error={error} />}
    >
      <div className="sim-mp sub-page">
        <p className="sim-mp__headline">A042</p>
        <p className="sim-mp__meta">您前面还有 12 桌</p>
        <button type="button" className="sim-mp__button sim-mp__button--primary" onClick={() => press('tap-subscribe')} aria-busy={busy !== undefined}>
          叫号时通知我
        </button>
        {statuses.length > 0 && (
          <ul className="sub-result" aria-label="这次订阅的结果">
            {statuses.map(([id, status]) => (
              <li key={id} data-status={status}>
                {id.slice(0, 6)}…：{STATUS_WORDS[status] ?? status}
              </li>
            ))}
          </ul>
        )}
        {send && (
          <p className={send.ok ? 'sub-send' : 'sub-send sub-send--error'} data-send={send.ok ? ('skipped' in send ? 'skipped' : 'sent') : send.code}>
            {send.ok ? ('skipped' in send ? '叫号了，但服务器没有登记你' : `已收到叫号提醒（msgid ${send.msgid}）`) : `服务器发送失败：${send.code}`}
          </p>
        )}
        <div className="sub-inbox" aria-label="服务通知">
          <p className="sub-inbox__title">服务通知</p>
          <p>{held(frame, 'user', '服务通知')}</p>
        </div>
        <p className="sub-setting">订阅消息总开关：{held(frame, 'client', '订阅消息总开关')}</p>
      </div>
    </PhoneFrame>
  );
}
