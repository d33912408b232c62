import { useEffect, useRef, type RefObject } from 'react';

/** What Tab can reach inside the simulator: its controls, the scrolling panels and the code's file tabs. */
const TABBABLE = 'button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * Keeps the keyboard in the simulator when a step removes or hides the control that had focus (a share sheet's
 * button, a popup's checkbox on a step back, a notice's 知道了): the browser would leave focus on <body>, where
 * ← → and Esc no longer reach the simulator, and nothing on screen would say so. After such a render, the root
 * takes focus back (it is focusable by script only). Focus the reader moved elsewhere stays where they put it.
 */
export function useFocusKeptInside(ref: RefObject<HTMLElement | null>) {
  const inside = useRef(false);
  const restore = () => {
    const active = document.activeElement;
    if (inside.current && (active === null || active === document.body)) ref.current?.focus({ preventScroll: true });
  };
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const listening = new AbortController();
    element.addEventListener('focusin', () => (inside.current = true), { signal: listening.signal });
    element.addEventListener(
      'focusout',
      (event) => {
        const next = event.relatedTarget as Node | null;
        if (next) {
          inside.current = element.contains(next);
          return;
        }
        // Focus going nowhere: the reader clicked outside, or the control is being removed or hidden. Chromium
        // reports the blur while the control is still in place and shown, so look once the step is done; a
        // control removed or hidden is no leaving, and the root takes focus back. A control hidden by a style
        // change loses focus only at the browser's next style update, which may come after the render's
        // effect below: so look again then too.
        const target = event.target as Element;
        queueMicrotask(() => {
          if (target.isConnected && (target.checkVisibility?.() ?? true)) inside.current = false;
          else restore();
        });
      },
      { signal: listening.signal },
    );
    return () => listening.abort();
  }, [ref]);
  useEffect(restore);
}

/**
 * The full-window workbench covers the chapter: Tab and Shift+Tab wrap around inside it instead of wandering into
 * links hidden behind it, and Esc closes it wherever focus is, unless a dialog (the site search) takes the Esc
 * itself. The site header stays on screen above it, so focus may go there by a click.
 */
export function useWorkbenchFocus(ref: RefObject<HTMLElement | null>, expanded: boolean, setExpanded: (expanded: boolean) => void) {
  useEffect(() => {
    const element = ref.current;
    if (!expanded || !element) return;
    const listening = new AbortController();
    document.addEventListener(
      'keydown',
      (event) => {
        const target = event.target as Element;
        if (event.key === 'Escape' && !event.defaultPrevented && !element.contains(target) && !target.closest('dialog')) setExpanded(false);
      },
      { signal: listening.signal },
    );
    document.addEventListener(
      'focusin',
      (event) => {
        const target = event.target as Element;
        if (element.contains(target) || target.closest('header')) return;
        const tabbable = [...element.querySelectorAll<HTMLElement>(TABBABLE)].filter((candidate) => candidate.checkVisibility?.() ?? true);
        // Gone backwards past the first control (the new focus comes before the workbench): to the last one.
        const backwards = (element.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING) !== 0;
        ((backwards ? tabbable.at(-1) : tabbable[0]) ?? element).focus({ preventScroll: true });
      },
      { signal: listening.signal },
    );
    return () => listening.abort();
    // setExpanded is a state setter: the same function on every render.
  }, [ref, expanded, setExpanded]);
}
