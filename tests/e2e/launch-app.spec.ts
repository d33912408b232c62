import { expect } from '@playwright/test';
import { chapterTest, SimulatorPage } from './simulator.ts';

const test = chapterTest('launch-app');

const ticket = (sim: SimulatorPage) => sim.root.locator('[data-phone] [data-ticket]');

/** The App launches the mini program (1069 hands it the ticket); it goes to the background and is entered again by `entrance`, a control's label. */
async function reenterAfterApp(sim: SimulatorPage, entrance: string) {
  await sim.press('用户操作', 'App 拉起小程序');
  await sim.step(2);
  await sim.press('用户操作', '小程序切到后台');
  await sim.press('用户操作', entrance);
  await sim.step();
}

test.describe('/launch-app/ simulator', () => {
  // Each scenario takes a dozen steps; a busy two-core machine needs the headroom.
  test.describe.configure({ timeout: 120_000 });
  test('App → 1069 → 打开App: the App reads app-parameter as extMsg, with the keyboard only', async ({ page, sim }) => {
    await sim.expectState('app.idle');

    // The phone's screens are plain buttons in tab order: from the App's button, Tab reaches 切到微信.
    const phone = sim.root.locator('[data-phone]');
    const launch = phone.getByRole('button', { name: '去小程序里做练习' });
    await launch.focus();
    await page.keyboard.press('Tab');
    await expect(phone.getByRole('button', { name: '切到微信' })).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(launch).toBeFocused();
    await page.keyboard.press('Enter');
    await sim.expectState('app.requesting');

    await sim.pressWithKeyboard(sim.next);
    await sim.expectState('entering');
    await page.keyboard.press('Enter');
    await sim.expectState('miniProgram');
    await expect(ticket(sim)).toHaveAttribute('data-ticket', 'held');
    await expect(sim.messages.filter({ hasText: '场景 1069：发车票' })).toHaveCount(1);

    await phone.getByRole('button', { name: '打开 App', exact: true }).press('Enter');
    await sim.expectState('tapping');
    await sim.step(2);
    await sim.expectState('app.idle');
    await expect(sim.messages.filter({ hasText: 'onResp(WXLaunchMiniProgramResp)' })).toContainText('lesson=42');
    await expect(sim.root.locator('[data-phone]')).toContainText('extMsg = lesson=42');
  });

  test('a detour through a QR scan takes the ticket; the button stays and gives invalid scene', async ({ sim }) => {
    await reenterAfterApp(sim, '从 1089（聊天顶部「最近使用」）进入');
    await expect(ticket(sim)).toHaveAttribute('data-ticket', 'held');

    await sim.press('用户操作', '小程序切到后台');
    await sim.press('用户操作', '从 1011（扫描二维码）进入');
    await sim.step();
    await sim.expectState('miniProgram');
    await expect(ticket(sim)).toHaveAttribute('data-ticket', 'none');
    await expect(sim.root.locator('[data-phone]').getByRole('button', { name: '打开 App', exact: true })).toBeVisible();

    await sim.press('用户操作', '点「打开 App」');
    await sim.step();
    await sim.expectState('miniProgram');
    await expect(sim.messages.last()).toContainText('invalid scene');
    await expect(sim.root.locator('[data-phone]').getByRole('status')).toContainText('binderror：invalid scene');
  });

  test('the base-library gate for 1038, restored from a deep link', async ({ page, sim }) => {
    await sim.press('外部条件', '基础库 2.2.3');
    await reenterAfterApp(sim, '从 1038（从另一个小程序返回）进入');
    await expect(ticket(sim)).toHaveAttribute('data-ticket', 'none');
    await expect(sim.messages.filter({ hasText: '场景 1038：收走车票' })).toHaveCount(1);
    await expect(page).toHaveURL(/[?&]launch-app=1\.sdk-2-2-3\.launch-from-app\.next\.next\.to-background\.enter-1038\.next/);

    await sim.reload();
    await sim.expectState('miniProgram');
    await expect(ticket(sim)).toHaveAttribute('data-ticket', 'none');
    await expect(sim.control('外部条件', '基础库 2.2.3')).toHaveAttribute('aria-pressed', 'true');
  });

  test('an uncertified Open Platform account cannot launch a mini program of another account', async ({ sim }) => {
    await sim.press('外部条件', '开放平台账号未认证，小程序在别的账号下');
    await sim.press('用户操作', 'App 拉起小程序');
    await sim.step();
    await sim.expectState('app.idle');
    await expect(sim.messages.last()).toContainText('没有打开小程序');
    await expect(sim.root.locator('[data-phone]')).toContainText('拉起小程序失败');
  });
});
