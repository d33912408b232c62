import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A dialog drawn over a phone's page (WeChat's authorization sheet, a
 * privacy popup, the settings page). Modal: focus moves into it when it
 * opens, and the phone frame makes the page behind it inert (`PhoneFrame`'s
 * `modal`), so neither a pointer nor the keyboard reaches what it covers.
 */
export function PhoneDialog({ className, labelledBy, children }: { className: string; labelledBy: string; children: ReactNode }) {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    dialog.current?.querySelector<HTMLElement>('button, [href], input, [tabindex]:not([tabindex="-1"])')?.focus({ preventScroll: true });
  }, []);
  return (
    <div ref={dialog} className={className} role="dialog" aria-modal="true" aria-labelledby={labelledBy}>
      {children}
    </div>
  );
}

export interface DialogAnswer {
  label: string;
  /** The control the button presses. */
  control: string;
}

/**
 * The row of two answers at the foot of a WeChat dialog: the plain one
 * (拒绝, 取消) and the green one (允许, 同意). `block` is the chapter's CSS
 * block: the row is `<block>__actions`, the buttons `<block>__button`, the
 * green one also `<block>__button--primary`.
 */
export function DialogAnswers({ block, no, yes, press }: { block: string; no: DialogAnswer; yes: DialogAnswer; press(control: string): void }) {
  return (
    <div className={`${block}__actions`}>
      <button type="button" className={`${block}__button`} onClick={() => press(no.control)}>
        {no.label}
      </button>
      <button type="button" className={`${block}__button ${block}__button--primary`} onClick={() => press(yes.control)}>
        {yes.label}
      </button>
    </div>
  );
}
