import { expect } from '@playwright/test';
import { chapterTest, SimulatorPage } from './simulator.ts';

const test = chapterTest('access-token');

// A dozen calls of a few steps each on a long page: far more than the default under parallel load.
test.describe.configure({ timeout: 240_000 });

const SERVER_CONTROL = { A: '服务器 A 调用接口', B: '服务器 B 调用接口' } as const;

/** One business call from a server: press its control, then 下一步 until the call has an answer. */
async function callFrom(sim: SimulatorPage, server: 'A' | 'B'): Promise<string> {
  await sim.press('用户操作', SERVER_CONTROL[server]);
  for (let i = 0; i < 8; i++) {
    const state = (await sim.root.getAttribute('data-state')) ?? '';
    if (state === 'callSucceeded' || state === 'callFailed') return state;
    await sim.next.click();
    await expect(sim.root).not.toHaveAttribute('data-state', state);
  }
  throw new Error(`${server}'s call did not finish`);
}

test.describe('/access-token/ simulator', () => {
  test('two naive servers ping-pong; with stable_token the rejections stop', async ({ sim }) => {
    await sim.expectState('idle');
    const rejected = sim.messages.filter({ hasText: 'errcode 40001' });

    expect(await callFrom(sim, 'A')).toBe('callSucceeded');
    expect(await callFrom(sim, 'B')).toBe('callSucceeded');
    // B's fetch put A's token in its grace window: A still works now, and fails once it ends.
    await expect(sim.root.getByText('宽限期，', { exact: false }).first()).toBeVisible();
    await sim.press('外部条件', '+5 分钟');
    expect(await callFrom(sim, 'A')).toBe('callFailed');
    const finding = sim.root.getByRole('status').filter({ hasText: '服务器 A 的 T1 被拒：errcode 40001' });
    await expect(finding).toBeVisible();
    await expect(finding).toContainText('服务器 B');
    // A fetches again, which in turn kills B's token five minutes later.
    expect(await callFrom(sim, 'A')).toBe('callSucceeded');
    await sim.press('外部条件', '+5 分钟');
    expect(await callFrom(sim, 'B')).toBe('callFailed');
    await expect(rejected).toHaveCount(2);

    await sim.press('用户操作', '各自 stable_token');
    await sim.next.click();
    await sim.expectState('idle');
    for (let round = 0; round < 2; round++) {
      expect(await callFrom(sim, 'A')).toBe('callSucceeded');
      expect(await callFrom(sim, 'B')).toBe('callSucceeded');
      await sim.press('外部条件', '+5 分钟');
    }
    await expect(rejected).toHaveCount(2);
    // Both servers hold the same stable token.
    await expect(sim.messages.filter({ hasText: 'access_token（S1）' })).toHaveCount(2);
    await expect(sim.messages.filter({ hasText: 'access_token（S2）' })).toHaveCount(0);
  });

  test('the step bar keeps its height when the agenda comes and goes, so the simulator under it stays put', async ({ sim }) => {
    const bar = sim.root.locator('.sim-bar');
    const agenda = sim.root.getByRole('list', { name: '接下来会发生' });
    await callFrom(sim, 'A');
    await expect(agenda).toBeVisible();
    const height = (await bar.boundingBox())!.height;
    const top = await sim.topOf('.sim-bench');
    const nextTop = (await sim.next.boundingBox())!.y;
    // Two hours on, what was scheduled has happened and nothing is left to come.
    await sim.press('外部条件', '+2 小时');
    await expect(agenda).toHaveCount(0);
    expect((await bar.boundingBox())!.height).toBeGreaterThanOrEqual(height - 0.5);
    expect(await sim.topOf('.sim-bench')).toBe(top);
    // The bar keeps room it no longer fills; 下一步, the button pressed most, stays where it was.
    expect((await sim.next.boundingBox())!.y).toBe(nextTop);
  });

  test('the herd, with the keyboard only: 100 fetches naive, 1 with the lock', async ({ page, sim }) => {
    const herd = sim.control('用户操作', '100 个并发请求');
    await sim.tabTo(herd);
    await page.keyboard.press('Enter');
    await sim.expectState('herd');
    await sim.pressWithKeyboard(sim.next);
    await sim.expectState('herdServed');
    await expect(sim.messages.filter({ hasText: 'GET /cgi-bin/token × 100' })).toHaveCount(1);
    await expect(sim.root.getByRole('status').filter({ hasText: '100 个请求 → 100 次获取' })).toBeVisible();

    await sim.pressWithKeyboard(sim.control('用户操作', '共享存储 + 锁 + 双重检查'));
    await sim.pressWithKeyboard(sim.next);
    await sim.expectState('idle');
    await sim.pressWithKeyboard(herd);
    await sim.pressWithKeyboard(sim.next);
    await sim.expectState('herdServed');
    await expect(sim.messages.filter({ hasText: 'GET /cgi-bin/token × 1' }).filter({ hasNotText: '× 100' })).toHaveCount(1);
  });
});
