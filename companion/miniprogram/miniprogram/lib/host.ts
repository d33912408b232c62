/**
 * A running flow machine plus the little the machine has no word for.
 *
 * Pages talk to a host, never to xstate: they send events, read snapshots and
 * subscribe. `notice` carries what happened outside the statechart (the user
 * closed WeChat's dialog, wx.login itself failed) so the page can say so.
 * `restart` exists because the flows have no event for a failed wx.login or a
 * dropped request in some states; rather than leave the actor waiting forever,
 * the host starts a fresh one from what storage says.
 */
import type { Actor, AnyStateMachine, EventFromLogic, SnapshotFrom } from './flows';

export class FlowHost<TMachine extends AnyStateMachine> {
  notice: string | null = null;
  private actor: Actor<TMachine>;
  private unsubscribe: () => void;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly start: () => Actor<TMachine>) {
    this.actor = start();
    this.unsubscribe = this.watch(this.actor);
  }

  get snapshot(): SnapshotFrom<TMachine> {
    return this.actor.getSnapshot();
  }

  /** A user's action: whatever the last notice said is now old news. */
  send(event: EventFromLogic<TMachine>): void {
    this.notice = null;
    this.actor.send(event);
    this.emit();
  }

  setNotice(text: string | null): void {
    this.notice = text;
    this.emit();
  }

  restart(notice: string | null): void {
    this.unsubscribe();
    this.actor.stop();
    this.actor = this.start();
    this.unsubscribe = this.watch(this.actor);
    this.setNotice(notice);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.unsubscribe();
    this.listeners.clear();
    this.actor.stop();
  }

  private watch(actor: Actor<TMachine>): () => void {
    const subscription = actor.subscribe(() => this.emit());
    return () => subscription.unsubscribe();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
