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
