import { expect } from '@playwright/test';
import { chapterTest, SimulatorPage } from './simulator.ts';

const test = chapterTest('subscribe-message');

/** The quota ledger's row for the queue template, in the world panel. */
const ledger = (sim: SimulatorPage) =>
  sim.root.locator('.sim-holding').filter({ hasText: '额度 · 排队叫号提醒' }).locator('.sim-holding__value');

test.describe('/subscribe-message/ simulator', () => {
  // A dozen steps each, on a two-core machine shared with the preview server.
  test.describe.configure({ timeout: 240_000 });

  test('one consent, one message: allow once, send twice → 43101, with the keyboard on the phone', async ({ sim }) => {
    await sim.expectState('page');
    const phone = sim.root.locator('[data-phone]');

    await phone.getByRole('button', { name: '叫号时通知我' }).press('Enter');
    await sim.expectState('tapping');
    await sim.step(2);
    await sim.expectState('popup');
    // The popup is a modal dialog: focus moves into it, the page behind is out of reach.
    const dialog = phone.getByRole('dialog');
    await expect(dialog).toContainText('排队叫号提醒');
    await dialog.getByRole('button', { name: '允许', exact: true }).press('Enter');
    await sim.step(2);
    await sim.expectState('page');
    await expect(ledger(sim)).toHaveText('1 次');

    await sim.press('用户操作', '店员叫号');
    await sim.step();
    await expect(ledger(sim)).toHaveText('0 次');
    await expect(phone).toContainText('已收到叫号提醒');

    await sim.press('用户操作', '店员叫号');
    await sim.step();
    await expect(phone.locator('[data-send]')).toHaveAttribute('data-send', 'SUBSCRIBE_43101');
    await expect(sim.root.getByRole('status').filter({ hasText: '发送失败：43101' })).toBeVisible();
  });

  test('「总是保持」: no popup any more, but the ledger still climbs one per tap', async ({ page }) => {
    // Three taps of three steps each: the longest scenario here.
    test.setTimeout(420_000);
    const sim = new SimulatorPage(page, 'subscribe-message');
    await sim.open('/subscribe-message/');
    const phone = sim.root.locator('[data-phone]');
    await sim.press('用户操作', '点「叫号时通知我」');
    await sim.step(2);
    await phone.getByRole('checkbox', { name: '总是保持以上选择，不再询问' }).check();
    await phone.getByRole('dialog').getByRole('button', { name: '允许', exact: true }).click();
    await sim.step(2);
    await expect(ledger(sim)).toHaveText('1 次');

    for (const expected of ['2 次', '3 次']) {
      await sim.press('用户操作', '点「叫号时通知我」');
      await sim.step(3);
      await sim.expectState('page');
      await expect(phone.getByRole('dialog')).toHaveCount(0);
      await expect(ledger(sim)).toHaveText(expected);
    }
    await expect(sim.root.getByRole('status').filter({ hasText: '没有弹窗，额度照样 +1' })).toBeVisible();
  });

  test('the keyboard keeps stepping: ← from the popup, whose checkbox took focus, and after the popup is gone', async ({ sim, page }) => {
    await sim.press('用户操作', '点「叫号时通知我」');
    await sim.step(2);
    await sim.expectState('popup');
    const keep = sim.root.locator('[data-phone]').getByRole('checkbox', { name: '总是保持以上选择，不再询问' });
    await keep.focus();
    // A checkbox has no use for arrows: ← steps back, and the popup it was in goes away.
    await page.keyboard.press('ArrowLeft');
    await expect(sim.root.locator('[data-phone]').getByRole('dialog')).toHaveCount(0);
    await expect.poll(() => sim.stepsTaken()).toBe(2);
    // Its checkbox had focus: the simulator keeps it, so the keys still work.
    await expect(sim.root).toBeFocused();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => sim.stepsTaken()).toBe(1);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await sim.expectState('popup');
  });

  test('the keyboard keeps stepping after the shared-link notice it was on is dismissed', async ({ sim, page }) => {
    await sim.press('用户操作', '点「叫号时通知我」');
    await sim.step(2);
    await sim.reload();
    const notice = sim.root.getByRole('status').filter({ hasText: '别人分享的第 3 步' });
    await notice.getByRole('button', { name: '知道了' }).focus();
    await page.keyboard.press('Enter');
    await expect(notice).toBeHidden();
    await expect(sim.root).toBeFocused();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => sim.stepsTaken()).toBe(2);
  });

  test('a tap on the phone that does nothing at this step says why, and the next step clears it', async ({ sim }) => {
    const phone = sim.root.locator('[data-phone]');
    await sim.press('用户操作', '点「叫号时通知我」');
    await sim.expectState('tapping');
    // The request is still on its way: the phone's button is not offered, and 下一步 is.
    await phone.getByRole('button', { name: '叫号时通知我' }).click();
    const note = sim.root.locator('.sim-phones__note');
    await expect(note).toHaveText(/^「点『叫号时通知我』」此刻不可用，先按「下一步」处理：/);
    // Screen readers hear it too, in the simulator's announcement.
    await expect(sim.root.locator('.sim-visually-hidden[aria-live="polite"]')).toContainText('此刻不可用，先按「下一步」');
    // The greyed control under the phone says the same in its hint, before what it does.
    await sim.control('用户操作', '点「叫号时通知我」').hover();
    await expect(sim.root.locator('.sim-controls__hint')).toHaveText(/^「点『叫号时通知我』」此刻不可用，先按「下一步」处理：.+。/);
    await sim.step();
    await expect(note).toHaveCount(0);
  });

  test('the await mistake: TAP gesture error; calling first works again', async ({ sim }) => {
    await sim.press('你的代码', '代码：先 await 取模板 id 再调用');
    await sim.press('用户操作', '点「叫号时通知我」');
    await sim.step(2);
    await sim.expectState('page');
    await expect(sim.messages.filter({ hasText: 'fail' }).last()).toContainText('TAP gesture');
    await expect(sim.root.getByRole('status').filter({ hasText: '只能在点击时调用' })).toBeVisible();

    await sim.press('你的代码', '代码：点击后第一件事就调用');
    await sim.press('用户操作', '点「叫号时通知我」');
    await sim.step(2);
    await sim.expectState('popup');
  });
});
