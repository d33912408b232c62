import type { Frame } from '../../kit/engine/engine.ts';
import type { PhoneProps } from '../../kit/shell/SimulatorShell.tsx';
import { PhoneDialog } from '../../kit/shell/PhoneDialog.tsx';
import { PhoneFrame } from '../../kit/shell/PhoneFrame.tsx';
import { held } from '../../kit/shell/held.ts';
import { PhoneToast } from '../../kit/shell/PhoneToast.tsx';
import { DemoAppPhone } from '../shared/DemoAppPhone.tsx';
import { DEMO_APP } from '../../world/simulated-world.ts';
import type { Person, ShareContext } from './machine.ts';
import { CHAT_NAMES, PERSON_LANE, shareButtonControl } from './simulation.ts';
import { GROUP, ITEMS, USERS } from './world.ts';
import './phone.css';

const NO_CARD = '（没有卡片）';

/** The states in which the sharer's phone is busy; the others belong to whoever opens the card. */
const SHARER_STATES = new Set(['openingMenu', 'composing', 'awaitingPromise', 'sending', 'composingTimeline']);

function ShareMenu({ context, press }: { context: ShareContext; press(id: string): void }) {
  const menu = context.menu ?? { forward: false, timeline: false };
  return (
    <PhoneDialog className="sh-sheet" labelledBy="sh-menu-title">
      <p id="sh-menu-title" className="sh-sheet__title">
        {DEMO_APP.name}
      </p>
      <div className="sh-sheet__row">
        <button type="button" className="sh-sheet__item" disabled={!menu.forward} onClick={() => press('menu-forward')}>
          <span className="sh-sheet__icon" aria-hidden="true">
            ➦
          </span>
          发送给朋友
        </button>
        <button type="button" className="sh-sheet__item" disabled={!menu.timeline} onClick={() => press('menu-timeline')}>
          <span className="sh-sheet__icon" aria-hidden="true">
            ◎
          </span>
          分享到朋友圈
        </button>
      </div>
      {!menu.forward && <p className="sh-sheet__why">页面没有 onShareAppMessage，「发送给朋友」是灰的</p>}
      <button type="button" className="sh-sheet__cancel" onClick={() => press('close-menu')}>
        取消
      </button>
    </PhoneDialog>
  );
}

function ChatPicker({ frame, press }: { frame: Frame<ShareContext>; press(id: string): void }) {
  return (
    <PhoneDialog className="sh-sheet" labelledBy="sh-picker-title">
      <p id="sh-picker-title" className="sh-sheet__title">
        选择一个聊天
      </p>
      <p className="sh-sheet__preview">卡片：{held(frame, 'phone-a', '分享内容')}</p>
      <div className="sh-sheet__list">
        <button type="button" className="sh-sheet__chat" onClick={() => press('send-single')}>
          {USERS.b.nickname}
        </button>
        <button type="button" className="sh-sheet__chat" onClick={() => press('send-group')}>
          {GROUP.name}（3 人）
        </button>
      </div>
      <button type="button" className="sh-sheet__cancel" onClick={() => press('cancel-sheet')}>
        取消
      </button>
    </PhoneDialog>
  );
}

/** A's list page: one share button per item, the ··· menu, and the forbidden unlock button if the reader added it. */
function SharerPage({ frame, press }: { frame: Frame<ShareContext>; press(id: string): void }) {
  const unlock = frame.active.includes('unlock-button');
  return (
    <div className="sh-page">
      <button type="button" className="sh-page__menu" onClick={() => press('open-menu')} aria-label="右上角菜单（···）">
        ··· 菜单
      </button>
      <ul className="sh-list">
        {ITEMS.map((item) => (
          <li key={item.id} className="sh-list__item">
            <span>{item.title}</span>
            <button type="button" className="sh-list__share" onClick={() => press(shareButtonControl(item.id))}>
              分享
            </button>
          </li>
        ))}
      </ul>
      {unlock && (
        <p className="sh-page__unlock" role="note">
          <span className="sh-page__lock" aria-hidden="true">
            🔒
          </span>
          分享到 3 个群解锁全文
          <span className="sh-page__rule">可能违反《运营规范》，而且小程序无从知道是否分享过</span>
        </p>
      )}
      <p className="sh-page__result">分享结果：{held(frame, 'phone-a', '分享结果')}</p>
    </div>
  );
}

/** B's or C's WeChat: the chats this person is in, with the card if one was posted there. */
function Chats({ person, frame, press, heading }: { person: Person; frame: Frame<ShareContext>; press(id: string): void; heading?: string }) {
  const chats = person === 'b' ? (['single', 'group', 'timeline'] as const) : (['group'] as const);
  const cards = chats.map((chat) => ({ chat, card: held(frame, 'chat', CHAT_NAMES[chat]) })).filter(({ card }) => card !== '' && card !== NO_CARD);
  const openControl = person === 'b' ? 'open-as-b' : 'open-as-c';
  const latest = frame.context.sent;
  return (
    <div className="sh-chats" role="group" aria-label={`${USERS[person].nickname}的微信`}>
      {heading && <p className="sh-chats__heading">{heading}</p>}
      {cards.length === 0 && <p className="sh-chats__empty">还没有收到卡片</p>}
      {cards.map(({ chat, card }) => (
        <div key={chat} className="sh-card">
          <p className="sh-card__chat">{CHAT_NAMES[chat]}</p>
          <p className="sh-card__title">{card.split('→')[0]?.trim()}</p>
          <p className="sh-card__app">小程序 · {DEMO_APP.name}</p>
          {chat === latest && (
            <button type="button" className="sh-card__open" onClick={() => press(openControl)}>
              点开
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

/** What the mini program on B's or C's phone knows: App.onLaunch's options, then the group page. */
function OpenerPage({ person, frame, press }: { person: Person; frame: Frame<ShareContext>; press(id: string): void }) {
  const lane = PERSON_LANE[person];
  const isCurrent = frame.context.opener === person;
  const singlePage = isCurrent && frame.state === 'singlePage';
  const opengid = held(frame, lane, 'opengid');
  return (
    <div className="sh-opened">
      {singlePage && <p className="sh-opened__single">朋友圈单页模式：不能登录，很多接口不可用</p>}
      <dl className="sh-opened__options">
        <dt>scene</dt>
        <dd>{held(frame, lane, 'scene')}</dd>
        <dt>shareTicket</dt>
        <dd>{held(frame, lane, 'shareTicket')}</dd>
        <dt>chatType</dt>
        <dd>{held(frame, lane, 'chatType')}</dd>
        <dt>opengid</dt>
        <dd data-opengid={opengid}>{opengid}</dd>
      </dl>
      {singlePage ? (
        <button type="button" className="sim-mp__button sim-mp__button--primary" onClick={() => press('go-to-mp')}>
          前往小程序
        </button>
      ) : (
        isCurrent &&
        frame.context.loggedIn && (
          <button type="button" className="sim-mp__button sim-mp__button--primary" onClick={() => press('open-leaderboard')}>
            本群排行榜
          </button>
        )
      )}
      {isCurrent && frame.context.groupError && (
        <p className="sim-mp__danger" role="status">
          {frame.context.groupError === '40097' ? '40097：请从群聊里的卡片进入' : frame.context.groupError}
        </p>
      )}
    </div>
  );
}

export function SharePhone({ phone, named, frame, press }: PhoneProps<ShareContext>) {
  const { context, state } = frame;
  if (phone.id === 'a') {
    const busy = SHARER_STATES.has(state) ? frame.busy : null;
    return (
      <DemoAppPhone
        phone={phone}
        named={named}
        frame={frame}
        modal={state === 'menu' || state === 'sheet'}
        overlay={
          <>
            {state === 'menu' && <ShareMenu context={context} press={press} />}
            {state === 'sheet' && <ChatPicker frame={frame} press={press} />}
            <PhoneToast busy={busy} />
          </>
        }
      >
        <p className="sh-owner">{USERS.a.nickname}的手机 · 分享的人</p>
        <SharerPage frame={frame} press={press} />
      </DemoAppPhone>
    );
  }
  const person = phone.id as Person;
  const launched = held(frame, PERSON_LANE[person], 'scene') !== '（还没打开）';
  const busy = context.opener === person && !SHARER_STATES.has(state) ? frame.busy : null;
  return (
    <PhoneFrame phone={phone} named={named} title={launched ? DEMO_APP.name : '微信'} clock={frame.clock} overlay={<PhoneToast busy={busy} />}>
      <p className="sh-owner">{phone.label}的手机</p>
      {launched ? (
        <>
          <OpenerPage person={person} frame={frame} press={press} />
          <Chats person={person} frame={frame} press={press} heading="回到微信，聊天里的卡片：" />
        </>
      ) : (
        <Chats person={person} frame={frame} press={press} />
      )}
    </PhoneFrame>
  );
}
