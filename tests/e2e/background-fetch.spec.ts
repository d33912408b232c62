import { expect } from '@playwright/test';
import { chapterTest, SimulatorPage } from './simulator.ts';

const test = chapterTest('background-fetch');

const periodicGets = (sim: SimulatorPage) => sim.messages.filter({ hasText: 'GET /api/background-fetch/periodic' });
const preFetchGets = (sim: SimulatorPage) => sim.messages.filter({ hasText: 'GET /api/background-fetch/pre' });

test.describe('/background-fetch/ simulator', () => {
  // The race takes a dozen steps, each replayed by the shell; a busy two-core machine needs the headroom.
  test.describe.configure({ timeout: 240_000 });

  test('three days in the pocket: the WeChat client fetches every 12 hours without the mini program opening', async ({ sim }) => {
    await sim.expectState('closed');

    await sim.press('外部条件', '+3 天');
    await expect(periodicGets(sim)).toHaveCount(6);
    await sim.expectState('closed');
    await expect(preFetchGets(sim)).toHaveCount(0);
    // Only appid and timestamp: no page, and no token before the mini program ever set one.
    const first = periodicGets(sim).first();
    await expect(first).toContainText('appid');
    await expect(first).toContainText('timestamp');
    for (const key of ['path', 'scene', 'code', 'token']) await expect(first).not.toContainText(key);
    await expect(sim.root.locator('[data-phone]')).toContainText('已在后台拉取 6 次');
  });

  test('opening from a shared card: one pre-fetch from the WeChat server with the path, with the keyboard only', async ({ page, sim }) => {

    const phone = sim.root.locator('[data-phone]');
    const card = phone.getByRole('button', { name: /1007/ });
    await sim.pressWithKeyboard(card);
    await sim.expectState('coldStart.downloading');

    await sim.next.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('Enter');
    await sim.expectState('showing');
    await expect(preFetchGets(sim)).toHaveCount(1);
    const request = preFetchGets(sim).first();
    await expect(request).toContainText('微信服务器 → 开发者服务器');
    await expect(request).toContainText('pages/background-fetch/background-fetch');
    await expect(request).toContainText('item=42');
    await expect(request).toContainText('1007');
    await expect(phone.locator('[data-page-data]')).toContainText('第 42 号课程');

    // A hot start sends nothing.
    await phone.getByRole('button', { name: '回到微信' }).press('Enter');
    await phone.getByRole('button', { name: '回到小程序' }).press('Enter');
    await sim.step();
    await sim.expectState('showing');
    await expect(preFetchGets(sim)).toHaveCount(1);
  });

  test('a slow server: the old data first, then the fresh data through onBackgroundFetchData', async ({ sim }) => {
    // A first start fills the pre slot.
    await sim.press('用户操作', '从聊天里的分享卡片打开');
    await sim.step(5);
    await sim.expectState('showing');
    await sim.press('用户操作', '回到微信');
    await sim.press('用户操作', '结束小程序');
    await sim.step();
    await sim.expectState('closed');

    await sim.press('外部条件', '开发者服务器变慢（3 秒）');
    await sim.press('用户操作', '从聊天里的分享卡片打开');
    await sim.step(4);
    await sim.expectState('showing');
    await expect(sim.messages.filter({ hasText: "wx.getBackgroundFetchData({ fetchType: 'pre' })" }).last()).toBeVisible();
    await expect(sim.root).toContainText('旧数据：之前打开时拉到的');
    await expect(sim.root).toContainText('先拿到的是旧数据');

    await sim.step();
    await expect(sim.messages.filter({ hasText: 'onBackgroundFetchData 回调' })).toHaveCount(1);
    await expect(sim.root.locator('[data-phone]')).toContainText('onBackgroundFetchData');
  });

  test('get only, slow server, first start: Android fails and the fresh data never reaches the page', async ({ sim }) => {
    await sim.press('你的代码', '只调 getBackgroundFetchData');
    await sim.press('外部条件', '开发者服务器变慢（3 秒）');
    await sim.press('用户操作', '从聊天里的分享卡片打开');
    await sim.step(4);
    await sim.expectState('showing');
    await expect(sim.root).toContainText('Android：fail');
    await sim.step();
    await expect(sim.root).toContainText('新数据到了，页面看不到');
    await expect(sim.messages.filter({ hasText: 'onBackgroundFetchData 回调' })).toHaveCount(0);
  });
});

test('both names lead to the chapter: /periodic-update/ and /prefetch/', async ({ page }) => {
  for (const name of ['/periodic-update/', '/prefetch/']) {
    await page.goto(name);
    await expect(page).toHaveURL(/\/background-fetch\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('周期性更新 vs 数据预拉取');
  }
});
