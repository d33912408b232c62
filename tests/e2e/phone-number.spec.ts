import { expect, type Page } from '@playwright/test';
import { axeViolations } from './axe.ts';
import { chapterTest, SimulatorPage } from './simulator.ts';

const FLOW = 'phone-number';
const test = chapterTest(FLOW);

// These walks take a dozen steps on a long page; under parallel load they outlast the 30 s default.
test.describe.configure({ timeout: 90_000 });

/** Login ahead, tap the button, and let WeChat encrypt: the callback is now waiting. */
async function upToCallback(sim: SimulatorPage) {
  await sim.press('用户操作', '登录');
  await sim.step(2);
  await sim.expectState('ready');
  await sim.press('用户操作', '点击获取手机号');
  await sim.step();
  await sim.expectState('oldFlow.inCallback');
}

async function runPending(sim: SimulatorPage) {
  while ((await sim.next.getAttribute('aria-disabled')) !== 'true') await sim.step();
}

test.describe('/phone-number/ simulator', () => {
  test('a rotation in the callback really breaks decryption, then re-login and asking again succeeds', async ({ sim }) => {
    await sim.expectState('signedOut');
    await upToCallback(sim);
    await expect(sim.messages.filter({ hasText: '用微信此刻的 session_key' })).toHaveCount(1);

    await sim.press('外部条件', '下次 wx.login 刷新 session_key');
    await expect(sim.control('外部条件', '下次 wx.login 刷新 session_key')).toHaveAttribute('aria-pressed', 'true');
    await sim.press('你的代码', '回调里先 wx.login');
    await runPending(sim);
    await sim.expectState('phoneFailed');
    await expect(sim.messages.filter({ hasText: 'session_key 被刷新' })).toHaveCount(1);
    await expect(sim.messages.last()).toContainText('409');
    await expect(sim.messages.last()).toContainText('SESSION_KEY_MISMATCH');
    // The reader sees which key encrypted and which decrypted, and that they differ.
    const finding = sim.root.getByRole('status').filter({ hasText: '解密失败：加密用' });
    await expect(finding).toBeVisible();
    const title = (await finding.textContent()) ?? '';
    const [, encrypted, decrypted] = /加密用 (\S+…)，解密用 (\S+…)/.exec(title) ?? [];
    expect(encrypted).toBeTruthy();
    expect(encrypted).not.toBe(decrypted);

    // The fix: the server now holds WeChat's current key, so asking again works.
    await sim.press('用户操作', '点击获取手机号');
    await sim.step();
    await sim.press('你的代码', '直接上传 encryptedData');
    await sim.step();
    await sim.expectState('phoneVerified');
    await expect(sim.root.getByText('手机号已验证')).toBeVisible();
    await expect(sim.messages.last()).toContainText('13580006666');
    // No server-only value (session_key, AppSecret, access_token) ever travels to the phone.
    await expect(sim.messages.filter({ hasText: '仅限服务器' })).not.toHaveCount(0);
    await expect(sim.messages.filter({ hasText: '→ 小程序' }).filter({ hasText: '仅限服务器' })).toHaveCount(0);
    await expect(sim.messages.filter({ hasText: '→ 微信客户端' }).filter({ hasText: '仅限服务器' })).toHaveCount(0);
  });

  test('with the rotation armed, wx.checkSession in the callback still succeeds', async ({ sim }) => {
    await upToCallback(sim);
    await sim.press('外部条件', '下次 wx.login 刷新 session_key');
    await sim.press('你的代码', '回调里先 wx.checkSession');
    await runPending(sim);
    await sim.expectState('phoneVerified');
    await expect(sim.messages.filter({ hasText: 'wx.login()' })).toHaveCount(1);
  });

  test('encryptedData in a query string loses its + and fails with 400', async ({ sim }) => {
    await upToCallback(sim);
    await sim.press('你的代码', '拼进 URL 上传');
    await sim.step();
    await sim.expectState('phoneFailed');
    await expect(sim.messages.last()).toContainText('400');
    await expect(sim.root.getByRole('status').filter({ hasText: 'encryptedData 在 URL 里被改坏了' })).toBeVisible();
  });

  test('the new code flow needs no login, and a code works only once', async ({ sim }) => {
    // The flow in place shows pressed and is not offered again; choosing the other one swaps them.
    const oldFlow = sim.control('你的代码', '用旧版（encryptedData）');
    const newFlow = sim.control('你的代码', '用新版（code）');
    await expect(oldFlow).toHaveAttribute('aria-pressed', 'true');
    await expect(oldFlow).toHaveAttribute('aria-disabled', 'true');
    await sim.press('你的代码', '用新版（code）');
    await expect(newFlow).toHaveAttribute('aria-pressed', 'true');
    await expect(oldFlow).not.toHaveAttribute('aria-pressed', 'true');
    await sim.press('用户操作', '点击获取手机号');
    await sim.step(2);
    await sim.expectState('phoneVerified');
    await expect(sim.messages.filter({ hasText: 'wx.login()' })).toHaveCount(0);
    await expect(sim.messages.filter({ hasText: 'POST /cgi-bin/stable_token' })).toHaveCount(1);
    await expect(sim.messages.filter({ hasText: 'POST /wxa/business/getuserphonenumber' })).toHaveCount(1);
    await sim.press('你的代码', '重复提交手机号 code');
    await sim.step();
    await sim.expectState('phoneFailed');
    await expect(sim.messages.filter({ hasText: 'errcode 40029' })).toHaveCount(1);
  });

  test('the deep link restores the failed decryption after a reload', async ({ page, sim }) => {
    await upToCallback(sim);
    await sim.press('外部条件', '下次 wx.login 刷新 session_key');
    await sim.press('你的代码', '回调里先 wx.login');
    await runPending(sim);
    await sim.expectState('phoneFailed');
    const count = await sim.messages.count();
    await expect(page).toHaveURL(/[?&]phone-number=1\.login\.next\.next\.tap\.next\.rotate\.relogin\.next\.next\.next(&|$)/);

    await sim.reload();
    await sim.expectState('phoneFailed');
    await expect(sim.messages).toHaveCount(count);
    await expect(sim.messages.last()).toContainText('SESSION_KEY_MISMATCH');
    await sim.press('历史', '后退一步');
    await sim.expectState('oldFlow.uploading');
  });

});

test.describe('decrypt-it-yourself panel', () => {
  async function openPanel(page: Page) {
    await page.goto('/phone-number/');
    const panel = page.getByTestId('decrypt-panel');
    await panel.scrollIntoViewIfNeeded();
    // The island hydrates when visible; the sample button only works once it has.
    await expect(panel).toHaveAttribute('data-ready', 'true');
    return panel;
  }

  test('a generated sample round-trips, using only the keyboard', async ({ page }) => {
    const requests: string[] = [];
    const panel = await openPanel(page);
    page.on('request', (request) => requests.push(request.url()));
    const fill = panel.getByRole('button', { name: '填入示例' });
    await fill.focus();
    await page.keyboard.press('Enter');
    await expect(panel.getByRole('textbox', { name: 'session_key' })).toHaveValue(/^[A-Za-z0-9+/]{22}==$/);
    await expect(panel.getByLabel('iv', { exact: true })).toHaveValue(/^[A-Za-z0-9+/]{22}==$/);
    await expect(panel.getByLabel('AppID')).toHaveValue(/^wx[0-9a-f]{16}$/);
    // Tab back from 填入示例 to 解密 and submit with the keyboard.
    await page.keyboard.press('Shift+Tab');
    await expect(panel.getByRole('button', { name: '解密' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(panel.getByText('解密成功')).toBeVisible();
    await expect(panel.getByLabel('解密结果')).toContainText('"purePhoneNumber": "13580006666"');
    await expect(panel.locator('li[data-status="ok"]')).toHaveCount(6);
    // Nothing left the page.
    expect(requests.filter((url) => !url.startsWith('data:'))).toEqual([]);
  });

  test('a tampered input fails at the step that broke, with the reason', async ({ page }) => {
    const panel = await openPanel(page);
    await panel.getByRole('button', { name: '填入示例' }).click();
    const data = panel.getByLabel('encryptedData');
    await expect(data).not.toHaveValue('');
    const original = await data.inputValue();

    // Another app's id: decryption works, the watermark does not match.
    const appId = panel.getByLabel('AppID');
    await appId.fill('wx0000000000000000');
    await panel.getByRole('button', { name: '解密' }).click();
    await expect(panel.getByText('解密失败（错误码 -41003，')).toBeVisible();
    await expect(panel.locator('li[data-status="failed"]')).toContainText('watermark.appid');

    // A wrong session_key: the padding check fails, and the cause names the rotation.
    await panel.getByRole('button', { name: '填入示例' }).click();
    await expect(data).not.toHaveValue(original);
    await panel.getByLabel('session_key').fill('AAAAAAAAAAAAAAAAAAAAAA==');
    await panel.getByRole('button', { name: '解密' }).click();
    await expect(panel.getByText('解密失败（错误码 -41003，')).toBeVisible();
    await expect(panel.locator('.decrypt-panel__cause')).toContainText('session_key');

    // A + lost to a query string.
    await panel.getByRole('button', { name: '填入示例' }).click();
    await data.fill('ab cdefg');
    await panel.getByRole('button', { name: '解密' }).click();
    await expect(panel.locator('li[data-status="failed"]')).toContainText('空格');
    await expect(panel.locator('li[data-status="skipped"]')).toHaveCount(3);
  });
});

test.describe('accessibility', () => {
  for (const theme of ['light', 'dark']) {
    test(`axe finds no violations in the ${theme} theme, before and after stepping`, async ({ page }) => {
      test.setTimeout(240_000);
      await page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
      const sim = new SimulatorPage(page, FLOW);
      await sim.open('/phone-number/');
      expect(await axeViolations(page)).toEqual([]);
      await upToCallback(sim);
      await sim.press('外部条件', '下次 wx.login 刷新 session_key');
      await sim.press('你的代码', '回调里先 wx.login');
      await runPending(sim);
      await page.locator('details.sim-log summary').click();
      const panel = page.getByTestId('decrypt-panel');
      await panel.scrollIntoViewIfNeeded();
      await expect(panel).toHaveAttribute('data-ready', 'true');
      await panel.getByRole('button', { name: '填入示例' }).click();
      await expect(panel.getByLabel('session_key')).not.toHaveValue('');
      await panel.getByLabel('session_key').fill('AAAAAAAAAAAAAAAAAAAAAA==');
      await panel.getByRole('button', { name: '解密' }).click();
      await expect(panel.locator('.decrypt-panel__cause')).toBeVisible();
      expect(await axeViolations(page)).toEqual([]);
    });
  }
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the decrypt-it-yourself panel is there to read before any script runs', async ({ page }) => {
    await page.goto('/phone-number/');
    await expect(page.getByRole('heading', { level: 1, name: '获取手机号' })).toBeVisible();
    await expect(page.getByRole('heading', { name: '排错速查' })).toBeVisible();
    const root = page.locator(`[data-flow="${FLOW}"]`);
    await expect(root).toHaveAttribute('data-state', 'signedOut');
    await expect(page.getByRole('textbox', { name: 'session_key' })).toBeVisible();
  });
});
