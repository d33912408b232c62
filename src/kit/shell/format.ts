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
