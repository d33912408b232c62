import { expect, type Locator, type Worker } from '@playwright/test';
import { chapterTest, SimulatorPage } from './simulator.ts';

const test = chapterTest('worker');

/** The phone's real measurement once a run has finished: frames drawn during the job, and the longest gap between frames. */
async function realRun(phone: Locator, where: 'main' | 'worker'): Promise<{ drawn: number; longest: number }> {
  const result = phone.locator(`[data-real-status="done"][data-real-where="${where}"]`);
  // fib(38) takes well under a second on an idle machine; a loaded CI box can take far longer.
  await expect(result).toBeVisible({ timeout: 240_000 });
  return { drawn: Number(await result.getAttribute('data-drawn')), longest: Number(await result.getAttribute('data-longest-frame')) };
}

test.describe('/worker/ simulator', () => {
  // Each scenario takes a dozen steps, and the first runs fib(38) twice for real: a busy machine needs the headroom.
  test.describe.configure({ timeout: 480_000 });

  test('fib(38) on the main thread stalls the ball; in a real Web Worker it keeps moving', async ({ page }) => {
    const started: Worker[] = [];
    page.on('worker', (worker) => void started.push(worker));
    const sim = new SimulatorPage(page, 'worker');
    await sim.open('/worker/');
    const phone = sim.root.locator('[data-phone]');

    // The main thread computes: no frame is drawn until it is done.
    await phone.getByRole('button', { name: '主线程算 fib(38)' }).click();
    const main = await realRun(phone, 'main');
    expect(main.drawn).toBe(0);
    expect(main.longest).toBeGreaterThan(100);
    await sim.expectState('computingOnMain');
    await sim.step(2);
    await sim.expectState('noWorker');
    await expect(sim.messages.filter({ hasText: '帧没收到新画面' })).toHaveCount(1);

    await phone.getByRole('button', { name: '创建 Worker' }).click();
    await sim.step();
    await sim.expectState('ready');

    // The same job in the browser's own Web Worker: frames keep coming while it runs.
    // (Gap lengths depend on how busy the machine is; whether frames were drawn at all does not.)
    await phone.getByRole('button', { name: 'Worker 算 fib(38)' }).click();
    await expect.poll(() => started.length).toBeGreaterThan(0);
    const worker = await realRun(phone, 'worker');
    expect(worker.drawn).toBeGreaterThanOrEqual(3);
    await sim.step(3);
    await sim.expectState('ready');
    await expect(phone).toContainText('fib(38) = 39088169（Worker）');
  });

  test('the ball moves only while the phone is on screen; with reduced motion, only while a job is measured', async ({ page }) => {
    const sim = new SimulatorPage(page, 'worker');
    await sim.open('/worker/');
    const phone = sim.root.locator('[data-phone]');
    const track = phone.locator('.wk-track');
    const position = () => track.locator('.wk-ball').evaluate((element) => (element as HTMLElement).style.getPropertyValue('--wk-ball'));
    /** Whether the ball changed position within `ms`: a running loop moves it every frame. */
    const movedWithin = async (ms: number) => {
      const before = await position();
      await page.waitForTimeout(ms);
      return (await position()) !== before;
    };
    const moving = () => movedWithin(250);
    // Still means still for over half a second, which even a loaded machine's frames do not take.
    const still = async () => !(await movedWithin(600));

    await track.scrollIntoViewIfNeeded();
    await expect.poll(moving).toBe(true);
    // Scrolled away, the loop stops.
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect(track).not.toBeInViewport();
    await expect.poll(still).toBe(true);
    await track.scrollIntoViewIfNeeded();
    await expect.poll(moving).toBe(true);

    // A reader who asked for less motion sees a still ball, until a job they started is measured.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await expect.poll(still).toBe(true);
    // From a stopped loop, the main thread's job is still measured from the frame just before it.
    await phone.getByRole('button', { name: '主线程算 fib(38)' }).click();
    const main = await realRun(phone, 'main');
    const elapsed = Number((await phone.locator('[data-real-status="done"]').textContent())?.match(/用了 (\d+) ms/)?.[1]);
    expect(main.drawn).toBe(0);
    expect(main.longest).toBeGreaterThan(100);
    expect(main.longest).toBeLessThan(elapsed + 500);
    await sim.step(2);
    await sim.expectState('noWorker');
    await phone.getByRole('button', { name: '创建 Worker' }).click();
    await sim.step();
    await sim.expectState('ready');
    await phone.getByRole('button', { name: 'Worker 算 fib(38)' }).click();
    const worker = await realRun(phone, 'worker');
    expect(worker.drawn).toBeGreaterThanOrEqual(3);
    await expect.poll(still).toBe(true);
  });

  test('a shared link never runs the real computation', async ({ page }) => {
    const started: Worker[] = [];
    page.on('worker', (worker) => void started.push(worker));
    const sim = new SimulatorPage(page, 'worker');
    await sim.open('/worker/', '?worker=1.run-main.next.next.create.next.run-worker.next.next.next');
    await sim.expectState('ready');
    await expect(sim.root.locator('[data-real-status]')).toHaveCount(0);
    expect(started).toEqual([]);
  });

  test('copies, not sharing: the worker echoes the value from before the change', async ({ sim }) => {
    await sim.press('你的代码', 'wx.createWorker');
    await sim.step();
    await sim.press('用户操作', 'postMessage(obj)');
    await sim.step();
    await sim.press('用户操作', '发送后修改 obj.count++');
    await sim.step();
    await sim.press('用户操作', '发送后修改 obj.count++');
    await sim.step();
    await sim.press('用户操作', '让 Worker 回显它的副本');
    await sim.step();
    await expect(sim.root.locator('[data-phone] [data-echo]')).toHaveAttribute('data-echo', '1');
    await expect(sim.root).toContainText('两块内存，两个值');

    // Before 2.20.2 a Map is outside what postMessage is documented to carry.
    await sim.press('外部条件', '基础库 2.20.1');
    await sim.press('用户操作', 'postMessage(带 Map 的对象)');
    await sim.step();
    await expect(sim.root).toContainText('基础库 2.20.1：Map 不在保证范围内');
  });

  test('a second createWorker fails until terminate(), with the keyboard only', async ({ sim }) => {
    const create = sim.root.locator('[data-phone]').getByRole('button', { name: '创建 Worker' });
    await sim.pressWithKeyboard(create);
    await sim.expectState('creating');
    await sim.pressWithKeyboard(sim.next);
    await sim.expectState('ready');

    const again = sim.control('你的代码', 'wx.createWorker');
    await sim.pressWithKeyboard(again);
    await sim.pressWithKeyboard(sim.next);
    await sim.expectState('ready');
    await expect(sim.messages.last()).toContainText('createWorker 失败');
    await expect(sim.root.locator('[data-phone]').getByRole('status')).toContainText('最多 1 个');

    await sim.pressWithKeyboard(sim.control('用户操作', 'worker.terminate()'));
    await sim.pressWithKeyboard(sim.next);
    await sim.expectState('noWorker');
    await sim.pressWithKeyboard(again);
    await sim.pressWithKeyboard(sim.next);
    await sim.expectState('ready');
  });

  test('iOS reclaims the experimental worker mid-job: without onProcessKilled the reply never comes, and a reload restores it', async ({ sim }) => {
    await sim.press('外部条件', 'iOS 手机');
    await sim.press('你的代码', 'useExperimentalWorker: true');
    await sim.press('你的代码', '错误写法：不监听 onProcessKilled');
    await sim.press('你的代码', 'wx.createWorker');
    await sim.step();
    await sim.press('外部条件', 'iOS 内存紧张');
    await sim.press('用户操作', '交给 Worker 算 fib(n)');
    await sim.step(3);
    await sim.expectState('replyLost');
    await expect(sim.root).toContainText('回复永远不会来');
    await expect(sim.next).toHaveAttribute('aria-disabled', 'true');

    await sim.reload();
    await sim.expectState('replyLost');
  });

  test('with onProcessKilled the worker is recreated and the job resent under its id', async ({ page }) => {
    const sim = new SimulatorPage(page, 'worker');
    // From a shared step: an experimental worker on iOS, just created.
    await sim.open('/worker/', '?worker=1.ios.experimental.create.next');
    await sim.expectState('ready');
    await sim.press('外部条件', 'iOS 内存紧张');
    await sim.press('用户操作', '交给 Worker 算 fib(n)');
    await sim.step(3);
    await sim.expectState('recreating');
    await sim.step(3);
    await sim.expectState('ready');
    await expect(sim.messages.filter({ hasText: 'worker.onProcessKilled' })).toHaveCount(1);
    await expect(sim.root.locator('[data-phone]')).toContainText('fib(38) = 39088169（Worker）');
  });
});
