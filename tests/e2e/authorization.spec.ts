import { expect, type Locator } from '@playwright/test';
import { axeViolations } from './axe.ts';
import { SimulatorPage, simulatorTest } from './simulator.ts';

const PATH = '/authorization/';

class AuthorizationPage extends SimulatorPage {
  constructor(page: SimulatorPage['page']) {
    super(page, 'authorization');
  }

  get phone(): Locator {
    return this.root.getByRole('figure', { name: '手机屏幕' });
  }

  /** A button the user taps inside the mini program or WeChat's own UI. */
  tap(name: string) {
    return this.phone.getByRole('button', { name, exact: true }).click();
  }

  get scopeDialog(): Locator {
    return this.phone.getByRole('dialog', { name: /申请/ });
  }

  get settingsPage(): Locator {
    return this.phone.getByRole('dialog', { name: '设置' });
  }

  memory(scope: string): Locator {
    return this.root.locator(`table.auth-memory tr[data-scope="${scope}"]`);
  }

  messagesWith(text: string | RegExp): Locator {
    return this.messages.filter({ hasText: text });
  }

  /** Launches the mini program written the recommended way (strategy B) and taps `feature`: the privacy popup comes first. */
  async launchAndTap(feature: string) {
    await this.press('你的代码', '启动：策略 B（用到时再申请）');
    await this.step();
    await this.tap(feature);
    await this.step();
  }
}

const test = simulatorTest((page) => new AuthorizationPage(page));

test.describe('/authorization/ simulator', () => {
  // Each test walks 10–30 steps, each a click and a re-render; on a busy machine that needs more than 30 s.
  test.describe.configure({ timeout: 90_000 });

  test('deny, ask again without a dialog, open settings from the button, enable, and the API works', async ({ sim }) => {
    await sim.expectState('closed');

    // The reader launches the mini program written the recommended way.
    await sim.press('你的代码', '启动：策略 B（用到时再申请）');
    await sim.step();
    await sim.expectState('ready');
    await expect(sim.memory('scope.record')).toContainText('从未询问');

    // First tap on 录音: privacy consent first, then WeChat's own dialog; the user refuses.
    await sim.tap('录音');
    await sim.step();
    await sim.expectState('asking.privacyPrompt');
    await sim.tap('同意');
    await sim.step();
    await sim.expectState('asking.scopeDialog');
    await expect(sim.scopeDialog).toContainText('「能力实验室」申请使用你的麦克风');
    await sim.scopeDialog.getByRole('button', { name: '拒绝', exact: true }).click();
    await sim.step();
    await sim.expectState('ready');
    await expect(sim.memory('scope.record')).toContainText('已拒绝');
    await expect(sim.memory('scope.record')).toContainText('false');
    await expect(sim.messagesWith('弹出授权框')).toHaveCount(1);

    // Second tap: the API fails at once, and no dialog appears.
    await sim.tap('录音');
    await sim.step();
    await sim.expectState('ready');
    await expect(sim.scopeDialog).toHaveCount(0);
    await expect(sim.messagesWith('弹出授权框')).toHaveCount(1);
    await expect(sim.messagesWith('authorize:fail auth deny')).toHaveCount(2);
    await expect(sim.messagesWith('不弹窗，直接进 fail')).toHaveCount(1);

    // The page explains why and offers 去设置; the settings page lists only the asked scope.
    await sim.tap('去设置');
    await sim.step();
    await sim.expectState('settingsPage.open');
    const microphone = sim.settingsPage.getByRole('switch', { name: '麦克风' });
    await expect(microphone).toHaveAttribute('aria-checked', 'false');
    await expect(sim.settingsPage.getByRole('switch')).toHaveCount(1);
    await microphone.click();
    await sim.step();
    await expect(microphone).toHaveAttribute('aria-checked', 'true');
    await expect(sim.memory('scope.record')).toContainText('已允许');
    await sim.tap('‹ 返回');
    await sim.step();
    await sim.expectState('ready');
    await expect(sim.messages.last()).toContainText('"scope.record":true');

    // Now the API works, without a dialog.
    await sim.tap('录音');
    await sim.step();
    await expect(sim.messagesWith('authorize:ok')).toHaveCount(1);
    await expect(sim.messagesWith('弹出授权框')).toHaveCount(1);
    await expect(sim.phone.getByText('✓ 可以使用')).toBeVisible();
  });

  test('a step into a file that ends above the last step’s mark draws its code once before the paint', async ({ sim }) => {
    // Launching marks lines low in the page's script; the next step's file, the page's WXML, ends above them.
    // The panel's own scroll to the new lines must not pass for the reader's, which would draw the lines
    // around them before the paint as well.
    const body = sim.root.locator('.sim-code__body');
    await sim.press('你的代码', '启动：策略 B（用到时再申请）');
    await expect(body).toHaveAttribute('aria-label', /authorization\.ts$/);
    const markBottom = await body.evaluate((element) => {
      const mark = element.querySelector<HTMLElement>('.sim-code__mark')!;
      return mark.offsetTop + mark.offsetHeight;
    });
    expect(await sim.codeDrawsBeforePaint()).toBe(1);
    await sim.expectState('ready');
    await expect(body).toHaveAttribute('aria-label', /\.wxml$/);
    // What makes this step the case: the new file is shorter than where the mark stood.
    expect(await body.evaluate((element) => element.scrollHeight)).toBeLessThan(markBottom);
  });

  test('openSetting from onShow fails and the settings page never opens', async ({ sim }) => {
    await sim.press('你的代码', '启动：策略 B（用到时再申请）');
    await sim.step();
    await sim.press('你的代码', '回到前台（onShow 调 openSetting）');
    await sim.step();
    await sim.expectState('ready');
    await expect(sim.messages.last()).toContainText('openSetting:fail can only be invoked by user TAP gesture.');
    await expect(sim.settingsPage).toHaveCount(0);
    // The phone shows WeChat's toast on this step only, as a real one fades after about 1.5 s.
    const toast = sim.root.locator('[data-phone] .sim-toast--error');
    await expect(toast).toHaveText('openSetting:fail can only be invoked by user TAP gesture.');
    await expect(sim.root.getByRole('status').filter({ hasText: '没有用户点击，openSetting 打不开设置页' })).toBeVisible();
    // The tap-only control stays unavailable: nothing was refused, so strategy B shows no 去设置 button.
    await expect(sim.control('用户操作', '点「去设置」')).toHaveAttribute('aria-disabled', 'true');
    // A minute later the page is as it was, without the toast over it.
    await sim.press('外部条件', '+1 分钟');
    await sim.expectState('ready');
    await expect(toast).toHaveCount(0);
  });

  test('asking everything at launch dead-ends after one refusal', async ({ sim }) => {
    await sim.press('你的代码', '启动：策略 A（启动就全部申请）');
    await sim.step(2);
    await sim.press('用户操作', '同意隐私保护指引');
    await sim.step();
    await sim.press('用户操作', '拒绝');
    await sim.step();
    for (let i = 0; i < 3; i++) {
      await sim.step();
      await sim.press('用户操作', '允许');
      await sim.step();
    }
    await sim.expectState('ready');
    await expect(sim.messagesWith('弹出授权框')).toHaveCount(4);

    // Relaunch: the same code asks for the microphone again and fails without a dialog.
    await sim.press('你的代码', '启动：策略 A（启动就全部申请）');
    await sim.step(2);
    await sim.expectState('ready');
    await expect(sim.messagesWith('弹出授权框')).toHaveCount(4);
    await expect(sim.messages.last()).toContainText('authorize:fail auth deny');
    await expect(sim.root.getByRole('status').filter({ hasText: '策略 A 走进了死胡同' })).toBeVisible();
    await expect(sim.phone.getByRole('button', { name: '去设置' })).toHaveCount(0);

    // Deleting the mini program is the other way out: WeChat forgets everything. It is done in WeChat, so the
    // phone leaves the mini program's page at once.
    await sim.press('用户操作', '删除小程序');
    await expect(sim.phone.getByText('选择一种写法启动小程序')).toBeVisible();
    await expect(sim.phone.getByText('附近小组')).toHaveCount(0);
    await sim.step();
    await sim.expectState('closed');
    for (const scope of ['scope.record', 'scope.userLocation', 'scope.camera', 'scope.writePhotosAlbum']) {
      await expect(sim.memory(scope)).toContainText('从未询问');
    }
  });

  test('a privacy refusal blocks the popup for 10 seconds of the virtual clock', async ({ sim }) => {
    await sim.launchAndTap('附近小组');
    await sim.tap('拒绝');
    await sim.step();
    await expect(sim.messagesWith('getLocation:fail privacy permission is not authorized')).toHaveCount(1);
    await sim.tap('附近小组');
    await sim.step();
    await sim.expectState('ready');
    await expect(sim.messagesWith('不足 10 秒')).toHaveCount(1);
    await sim.press('外部条件', '+10 秒');
    await sim.tap('附近小组');
    await sim.step();
    await sim.expectState('asking.privacyPrompt');
  });

  test('a missing permission declaration fails location before any dialog', async ({ sim }) => {
    await sim.press('你的代码', 'app.json 去掉 permission 声明');
    await expect(sim.control('你的代码', 'app.json 去掉 permission 声明')).toHaveAttribute('aria-pressed', 'true');
    await sim.launchAndTap('附近小组');
    await sim.tap('同意');
    await sim.step();
    await sim.expectState('ready');
    await expect(sim.messagesWith('弹出授权框')).toHaveCount(0);
    // The failure itself; strategy B then reads getSetting, which still has no location entry.
    await expect(sim.messagesWith(/errMsggetLocation:fail$/)).toHaveCount(1);
    await expect(sim.messagesWith('app.json 缺少')).toHaveCount(1);
    await expect(sim.messages.last()).toContainText('authSetting{}');
    await expect(sim.memory('scope.userLocation')).toContainText('从未询问');
  });

  test('the deep link restores the same step after a reload', async ({ page, sim }) => {
    await sim.launchAndTap('保存海报');
    await sim.tap('同意');
    await sim.step();
    await sim.tap('拒绝');
    await sim.step();
    await sim.tap('去设置');
    await sim.step();
    await sim.expectState('settingsPage.open');
    const count = await sim.messages.count();
    await expect(page).toHaveURL(/[?&]authorization=1\.launch-ondemand\.next\.album\.next\.agree-privacy\.next\.deny\.next\.open-setting\.next$/);

    await sim.reload();
    await sim.expectState('settingsPage.open');
    await expect(sim.messages).toHaveCount(count);
    await expect(sim.settingsPage.getByRole('switch', { name: '添加到相册' })).toHaveAttribute('aria-checked', 'false');
    await expect(sim.memory('scope.writePhotosAlbum')).toContainText('已拒绝');

    await sim.press('历史', '后退一步');
    await sim.expectState('openingSetting.fromTap');
    await sim.press('历史', '前进一步');
    await sim.expectState('settingsPage.open');
  });

  for (const theme of ['light', 'dark']) {
    test(`axe finds no violations in the ${theme} theme, with WeChat's dialog and settings page open`, async ({ page }) => {
      test.setTimeout(240_000);
      await page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
      const sim = new AuthorizationPage(page);
      await sim.open(PATH);
      expect(await axeViolations(page)).toEqual([]);

      await sim.launchAndTap('录音');
      await sim.tap('同意');
      await sim.step();
      await expect(sim.scopeDialog).toBeVisible();
      expect(await axeViolations(page, '[data-flow="authorization"]')).toEqual([]);

      await sim.tap('拒绝');
      await sim.step();
      await sim.tap('去设置');
      await sim.step();
      await expect(sim.settingsPage).toBeVisible();
      await page.locator('details.sim-log summary').click();
      expect(await axeViolations(page)).toEqual([]);
    });
  }
});


test.describe('/authorization/ phone dialogs', () => {
  test("WeChat's dialog is modal: focus moves into it and the page behind it is out of reach", async ({ sim }) => {
    await sim.launchAndTap('录音');
    const privacy = sim.root.getByRole('dialog', { name: '用户隐私保护提示' });
    await expect(privacy).toHaveAttribute('aria-modal', 'true');
    await expect(privacy.getByRole('button', { name: '拒绝' })).toBeFocused();
    await expect(sim.phonePage).toHaveAttribute('inert', '');
    await sim.tap('同意');
    await sim.step();
    await expect(sim.scopeDialog).toHaveAttribute('aria-modal', 'true');
    await expect(sim.scopeDialog.getByRole('button', { name: '拒绝' })).toBeFocused();
    // Tab stays out of the page behind: the feature buttons cannot take focus.
    await expect(sim.phonePage.getByRole('button', { name: '录音' })).not.toBeFocused();
    await sim.scopeDialog.getByRole('button', { name: '允许' }).click();
    await sim.step();
    await expect(sim.phonePage).not.toHaveAttribute('inert', '');
  });
});
