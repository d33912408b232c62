/** Small display helpers shared by the shell's panels; deterministic so SSR and hydration agree. */

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `2026-11-23 09:05` in Beijing time, whatever the reader's time zone. */
export function formatClock(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export function formatTimeOfDay(ms: number): string {
  return formatClock(ms).slice(11);
}

/** Long opaque values (tokens) shortened in the middle; keys stay whole because readers compare them. */
export function shorten(value: string, max = 48): string {
  return value.length <= max ? value : `${value.slice(0, max - 14)}…${value.slice(-12)}`;
}

/** `who：what`, unless `what` already starts with who does it: 微信客户端周期性拉取, not 微信客户端：微信客户端周期性拉取. */
export function byWhom(who: string, what: string): string {
  return what.startsWith(who) ? what : `${who}：${what}`;
}

/**
 * A message label cut after each "/" or "?" before a name, where a line may break: GET /sns/ jscode2session rather
 * than in the middle of a path segment (the CSS still breaks a name that cannot fit on its own). Not after a dot:
 * wx. alone on a line only left requestSubscribeMessage to be broken anyway.
 */
export function breakPoints(label: string): string[] {
  // No lookbehind: Safari before 16.4 cannot parse one, and the diagram would fail to draw.
  return label.replace(/([/?])(?=[A-Za-z_])/g, '$1\u0000').split('\u0000');
}

/** `a` then `b`, with the space Chinese text puts between a Latin word and a Han character: 打开 App 模拟器. */
export function joinWords(a: string, b: string): string {
  const latinThenHan = /[A-Za-z0-9]$/.test(a) && /^\p{Script=Han}/u.test(b);
  const hanThenLatin = /\p{Script=Han}$/u.test(a) && /^[A-Za-z0-9]/.test(b);
  return latinThenHan || hanThenLatin ? `${a} ${b}` : `${a}${b}`;
}

/**
 * A whole number as `12,345`, as toLocaleString('en-US') writes it. Written out because the first Intl call
 * on a page loads the locale's data, which at a phone's speed took longer than drawing the rest of a restored simulator.
 */
export function groupDigits(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+$)/g, ',');
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The clock as the chapter counts time: milliseconds since start, Beijing wall time, or days since start. */
export function formatTime(scale: 'ms' | 'clock' | 'days', clock: number, elapsed: number): string {
  if (scale === 'ms') return `${groupDigits(elapsed)} ms`;
  if (scale === 'days') return `第 ${Math.floor(elapsed / DAY_MS)} 天 ${formatTimeOfDay(clock)}`;
  return `${formatClock(clock)}（北京时间）`;
}

/**
 * How many of the newest messages the diagram draws until the reader asks for
 * the earlier ones: its box shows about six, so this is a few steps back.
 */
export const MESSAGE_WINDOW = 24;
