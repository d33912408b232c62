/**
 * Builders for the controls every simulation offers: a reader action that
 * sends one machine event, and a jump of the virtual clock.
 */
import type { VirtualClock } from '../../world/support/clock.ts';
import type { UserControl, WorldControl } from './definition.ts';

export function userControl<TEvent>(id: string, label: string, event: TEvent, hint?: string): UserControl<TEvent> {
  return { kind: 'user', id, label, event, ...(hint ? { hint } : {}) };
}

export function clockControl<TWorld extends { clock: VirtualClock }>(id: string, label: string, ms: number, hint?: string): WorldControl<TWorld> {
  return { kind: 'world', id, label, apply: (world) => world.clock.advance(ms), ...(hint ? { hint } : {}) };
}
