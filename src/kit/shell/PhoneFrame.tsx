import type { ReactNode } from 'react';
import type { PhoneSpec } from '../engine/definition.ts';
import { formatTimeOfDay } from './format.ts';

interface PhoneFrameProps {
  /** Which of the chapter's phones this is; the frame carries its id as `data-phone`. */
  phone: PhoneSpec;
  /** More than one phone on stage: each frame is named for its owner. */
  named?: boolean;
  title: string;
  clock: number;
  children: ReactNode;
  /** WeChat's own UI drawn over the page (dialogs, toasts). */
  overlay?: ReactNode;
  /** The overlay is a modal dialog: the page behind it is inert until it closes. */
  modal?: boolean;
}

/** The phone's status bar; a screen drawn over the whole phone (WeChat, another App, a splash) shows it too. */
export function PhoneStatusBar({ clock }: { clock: number }) {
  return (
    <div className="sim-phone__status" aria-hidden="true">
      <span>{formatTimeOfDay(clock)}</span>
      <span>5G ▮▮▮</span>
    </div>
  );
}

/** A phone showing one mini program page: status bar, WeChat's navigation bar with the capsule, the page. */
export function PhoneFrame({ phone, named = false, title, clock, children, overlay, modal = false }: PhoneFrameProps) {
  return (
    <figure className="sim-phone" data-phone={phone.id} aria-label={named ? `手机屏幕：${phone.label}` : '手机屏幕'}>
      <div className="sim-phone__screen">
        <PhoneStatusBar clock={clock} />
        <div className="sim-phone__nav">
          <span className="sim-phone__title">{title}</span>
          <span className="sim-phone__capsule" aria-hidden="true">
            <span>···</span>
            <span>◉</span>
          </span>
        </div>
        <div className="sim-phone__page" inert={modal || undefined}>
          {children}
        </div>
        {overlay}
      </div>
    </figure>
  );
}
