// 故意写成递归：调用次数约为 2·fib(n+1)，n = 35 时约 3 千万次，足够让一个线程忙上一阵
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
