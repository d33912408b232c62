import { expect } from '@playwright/test';
import { chapterTest, SimulatorPage } from './simulator.ts';

const test = chapterTest('share');

const phone = (sim: SimulatorPage, id: 'a' | 'b' | 'c') => sim.root.locator(`[data-phone="${id}"]`);
const opengidOn = (sim: SimulatorPage, id: 'b' | 'c') => phone(sim, id).locator('[data-opengid]');

/** A taps the first item's share button; WeChat shows the chat picker once the handler has returned. */
async function shareFirstItem(sim: SimulatorPage) {
  await sim.press('用户操作', '点「《小王子》读书笔记」的分享按钮');
  await sim.step();
}

test.describe('/share/ simulator', () => {
  // The first scenario takes some 25 steps over three phones; a busy two-core machine needs the headroom.
  test.describe.configure({ timeout: 240_000 });

  test('single chat gives no shareTicket; the group card does, and B and C get the same opengid', async ({ sim }) => {
    await sim.expectState('page');

    // To 小白 alone: the sharer learns nothing, the opener gets 1007 and no ticket.
    await shareFirstItem(sim);
    await sim.expectState('sheet');
    await sim.press('用户操作', '发给小白（单聊）');
    await sim.step();
    await sim.expectState('page');
    await expect(phone(sim, 'a')).toContainText('分享结果：永远不知道（没有回调）');
    await sim.press('用户操作', '小白点开卡片');
    await sim.step(2);
    await expect(phone(sim, 'b')).toContainText('1007 单人聊天会话中的小程序消息卡片');
    await expect(phone(sim, 'b').locator('dd').nth(1)).toHaveText('（没有）');
    // The leaderboard asks anyway: WeChat answers 40097.
    await sim.press('用户操作', '打开本群排行榜');
    await sim.step();
    await expect(phone(sim, 'b').getByRole('status')).toContainText('40097');

    // To the group, with withShareTicket: 1044, a ticket, and a group id for each member who opens it.
    await shareFirstItem(sim);
    await sim.press('用户操作', '发到周末读书群');
    await sim.step();
    await sim.press('用户操作', '小白点开卡片');
    await sim.step(2);
    await expect(phone(sim, 'b')).toContainText('1044 带 shareTicket 的小程序消息卡片');
    await expect(phone(sim, 'b').locator('dd').nth(1)).not.toHaveText('（没有）');
    await sim.press('用户操作', '打开本群排行榜');
    await sim.step(2);
    await expect(opengidOn(sim, 'b')).toHaveAttribute('data-opengid', /^tG\w+$/);

    await sim.press('用户操作', '陈辰点开卡片');
    await sim.step(2);
    await sim.press('用户操作', '打开本群排行榜');
    await sim.step(2);
    const id = await opengidOn(sim, 'b').getAttribute('data-opengid');
    await expect(opengidOn(sim, 'c')).toHaveAttribute('data-opengid', id!);
    await expect(sim.messages.filter({ hasText: '200 opengid' })).toHaveCount(2);
  });

  test('a promise that takes 5 s: WeChat uses the defaults at exactly 3 s', async ({ sim }) => {
    await sim.press('你的代码', 'onShareAppMessage 返回 promise');
    await sim.press('你的代码', 'promise 5 秒后 resolve');
    await shareFirstItem(sim);
    await sim.expectState('awaitingPromise');
    await sim.press('外部条件', '+1 秒');
    await sim.press('外部条件', '+1 秒');
    await sim.expectState('awaitingPromise');
    await sim.press('外部条件', '+1 秒');
    await sim.expectState('sheet');
    await expect(sim.messages.last()).toContainText('3 秒到了，改用默认内容');
    await expect(phone(sim, 'a').getByRole('dialog')).toContainText('卡片：「一起来读书」→ /pages/share/share');
  });

  test('no onShareAppMessage: 发送给朋友 is greyed in the menu', async ({ sim }) => {
    await sim.press('你的代码', '不定义 onShareAppMessage');
    await sim.press('用户操作', '点右上角 ···');
    await sim.step();
    await sim.expectState('menu');
    const menu = phone(sim, 'a').getByRole('dialog');
    await expect(menu.getByRole('button', { name: '发送给朋友' })).toBeDisabled();
    await expect(menu).toContainText('页面没有 onShareAppMessage');
    await expect(sim.control('用户操作', '菜单：发送给朋友')).toBeDisabled();
  });

  test('Moments: single-page mode (1154), then 前往小程序 with the keyboard', async ({ sim }) => {
    await sim.press('用户操作', '点右上角 ···');
    await sim.step();
    await phone(sim, 'a').getByRole('dialog').getByRole('button', { name: '分享到朋友圈' }).press('Enter');
    await sim.expectState('composingTimeline');
    await sim.step();
    await phone(sim, 'b').getByRole('button', { name: '点开' }).press('Enter');
    await sim.step();
    await sim.expectState('singlePage');
    await expect(phone(sim, 'b')).toContainText('朋友圈单页模式：不能登录');
    await expect(phone(sim, 'b')).toContainText('1154 朋友圈内打开“单页模式”');

    await phone(sim, 'b').getByRole('button', { name: '前往小程序' }).press('Enter');
    await sim.step(2);
    await sim.expectState('page');
    await expect(phone(sim, 'b')).toContainText('1155 “单页模式”打开小程序');
    await expect(sim.messages.filter({ hasText: 'POST /api/login' })).toHaveCount(1);

    // The steps are in the address: a reload lands on the same step.
    await sim.reload();
    await sim.expectState('page');
    await expect(phone(sim, 'b')).toContainText('1155');
  });
});

test.describe('/share/ at 390 px, six lanes', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('a lane name breaks only between its words, and a loop’s label is whole and inside the diagram', async ({ page }) => {
    const sim = new SimulatorPage(page, 'share');
    // Two of the sharer's own steps: onShareAppMessage(options) and what it returns are loops on A's lane.
    await sim.open('/share/', '?share=1.open-menu.next.menu-forward.next');
    const seq = sim.root.locator('.sim-seq');
    // Each piece between two break points (阿岚的 / 手机) is one text node: it must sit on one line.
    const splitPieces = await seq.locator('.sim-seq__lanes > span').evaluateAll((spans) =>
      spans.flatMap((span) =>
        [...span.childNodes]
          .filter((node) => node.nodeType === Node.TEXT_NODE)
          .filter((node) => {
            const range = document.createRange();
            range.selectNodeContents(node);
            return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1;
          })
          .map((node) => node.textContent),
      ),
    );
    expect(splitPieces).toEqual([]);
    const loops = seq.locator('.sim-msg__loop-label');
    await expect(loops).not.toHaveCount(0);
    const box = (await seq.boundingBox())!;
    for (const loop of await loops.all()) {
      const rect = (await loop.boundingBox())!;
      expect(rect.x).toBeGreaterThanOrEqual(box.x);
      expect(rect.x + rect.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
      // Nothing cut: the label's box is as tall and wide as its text.
      expect(await loop.evaluate((el) => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    }
    await expect(seq.getByText('onShareAppMessage(options)', { exact: true })).toBeVisible();
  });
});

