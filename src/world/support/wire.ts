/**
 * What crosses between the four parties, as the simulated world reports it.
 * The world records messages; the simulator draws them as a sequence diagram.
 */
export type Lane = 'miniprogram' | 'client' | 'developer' | 'wechat';

export type MessageTone = 'normal' | 'error' | 'danger';

export interface SimMessage {
  from: Lane;
  to: Lane;
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
