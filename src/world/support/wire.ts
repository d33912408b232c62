/**
 * What crosses between the parties, as the simulated world reports it. The
 * world records messages; the simulator draws them as a sequence diagram.
 * Lanes are named by the chapter that declares them (see the kit's
 * `LaneSpec`); the world's standard four are in `../lanes.ts`.
 */
export type MessageTone = 'normal' | 'error' | 'danger';

export interface SimMessage {
  /** Lane ids. */
  from: string;
  to: string;
  label: string;
  payload?: unknown;
  /** Payload keys whose values must stay on servers (session_key, secret…). */
  secrets?: readonly string[];
  tone?: MessageTone;
  /** Why this message matters, shown beside it. */
  note?: string;
}

export interface Recorder {
  record(message: SimMessage): void;
}

export const silentWire: Recorder = { record: () => {} };
