/**
 * Page ↔ host binding, after mobx-miniprogram-bindings: subscribe on load,
 * setData only the fields the view function returns and only when they
 * changed (setData crosses to the render thread, so less is faster), and
 * unsubscribe on unload.
 */
import type { AnyStateMachine, SnapshotFrom } from './flows';
import type { FlowHost } from './host';

interface PageLike {
  setData(data: Record<string, unknown>): void;
}

const bindings = new WeakMap<object, () => void>();

export function bindHost<TMachine extends AnyStateMachine, TView extends Record<string, unknown>>(
  page: PageLike,
  host: FlowHost<TMachine>,
  view: (snapshot: SnapshotFrom<TMachine>, notice: string | null) => TView,
): void {
  let last: Record<string, string> = {};
  const render = () => {
    const next = view(host.snapshot, host.notice);
    const changed: Record<string, unknown> = {};
    const seen: Record<string, string> = {};
    for (const key of Object.keys(next)) {
      seen[key] = JSON.stringify(next[key]);
      if (seen[key] !== last[key]) changed[key] = next[key];
    }
    last = seen;
    if (Object.keys(changed).length > 0) page.setData(changed);
  };
  unbindHost(page);
  bindings.set(page, host.subscribe(render));
  render();
}

export function unbindHost(page: object): void {
  bindings.get(page)?.();
  bindings.delete(page);
}
