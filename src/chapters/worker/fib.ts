/**
 * The job the phone really runs in the reader's browser: the recursive fib
 * of the official demo, slow on purpose (about 2·fib(n+1) calls).
 */
export const REAL_MAX_N = 38;

export function slowFib(n: number): number {
  return n < 2 ? n : slowFib(n - 1) + slowFib(n - 2);
}
