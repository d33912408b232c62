import { expect, type Page } from '@playwright/test';
import { axeViolations } from './axe.ts';
import { chapterTest, SimulatorPage } from './simulator.ts';

const test = chapterTest('login');

/** Scrolls until the simulator's top is half a screen below the window: near enough to ask for its code, not yet in view to hydrate. */
const approachSimulator = (page: Page) =>
  page.evaluate(() => {
    const top = document.querySelector('[data-simulator="login"]')!.getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, top - window.innerHeight * 1.5);
  });

test.describe('/login/ simulator', () => {
  test('a full login, with the keyboard only', async ({ page, sim }) => {
    await sim.expectState('signedOut');

    // The reader tabs through the step bar, the phone and the code panel until the 登录 control has focus.
    const login = sim.control('用户操作', '登录');
    await sim.next.focus();
    await sim.tabTo(login, 40);
    await page.keyboard.press('Enter');
    await sim.expectState('loggingIn.requestingCode');

    // 下一步 heads the step bar; every press delivers one step.
    await sim.next.focus();
    await expect(sim.next).toBeFocused();
    for (const state of [
      'loggingIn.awaitingServer.requestInFlight',
      'loggingIn.awaitingServer.exchangingCode',
      'loggingIn.awaitingServer.issuingToken',
      'loggedIn',
    ]) {
      await page.keyboard.press('Enter');
      await sim.expectState(state);
    }
    // Focus stays on 下一步 even now that nothing is pending.
    await expect(sim.next).toBeFocused();
    await expect(sim.next).toHaveAttribute('aria-disabled', 'true');
    await expect(sim.root.getByText('已登录', { exact: true })).toBeVisible();
    await expect(sim.messages.filter({ hasText: 'GET /sns/jscode2session' })).toHaveCount(1);
    // session_key travels only between the servers: one payload carries it, badged as server-only.
    const carriesSessionKey = sim.messages.filter({ has: page.locator('.sim-kv--secret dt', { hasText: 'session_key' }) });
    await expect(carriesSessionKey).toHaveCount(1);
    await expect(carriesSessionKey).toContainText('微信服务器 → 开发者服务器');
  });

  test('an expired code ends in 40029 and the reader sees why', async ({ sim }) => {
    await sim.press('用户操作', '登录');
    await sim.step(2);
    await sim.press('外部条件', '+6 分钟');
    await sim.step();
    await sim.expectState('loggingIn.awaitingServer.respondingWithError');
    await expect(sim.messages.last()).toContainText('errcode 40029');
    await sim.step();
    await sim.expectState('signedOut');
    await expect(sim.messages.last()).toContainText('401');
    await expect(sim.root.getByRole('status').filter({ hasText: 'code 无效或已过期' })).toBeVisible();
  });

  test('the deep link restores the same step after a reload', async ({ page, sim }) => {
    await sim.press('用户操作', '登录');
    await sim.step(4);
    await sim.press('你的代码', '重复提交刚才的 code');
    await sim.step();
    await sim.expectState('loggedIn');
    const count = await sim.messages.count();
    await expect(page).toHaveURL(/[?&]login=1\.login\.next\.next\.next\.next\.resubmit\.next/);

    await sim.reload();
    await sim.expectState('loggedIn');
    await expect(sim.messages).toHaveCount(count);
    await expect(sim.messages.last()).toContainText('401');
    await expect(sim.root.getByText('code 已被使用过', { exact: false }).first()).toBeVisible();

    // Step back and forward walk the same history.
    await sim.press('历史', '后退一步');
    await sim.expectState('resubmittingCode');
    await sim.press('历史', '前进一步');
    await sim.expectState('loggedIn');
  });

  test('the wrong design is flagged as a security error', async ({ sim }) => {
    await sim.press('你的代码', '错误设计：把 session_key 下发给小程序');
    await expect(sim.control('你的代码', '错误设计：把 session_key 下发给小程序')).toHaveAttribute('aria-pressed', 'true');
    await sim.press('用户操作', '登录');
    await sim.step(4);
    await expect(sim.root.getByRole('status').filter({ hasText: '安全错误：session_key 到了小程序里' })).toBeVisible();
    await sim.press('你的代码', '小程序直连微信接口');
    await sim.step();
    await expect(sim.messages.last()).toContainText('url not in domain list');
    await expect(sim.root.getByRole('status').filter({ hasText: '小程序试图直连 api.weixin.qq.com' })).toBeVisible();
  });

  test('the controls stay where they are while the code loads and when a press brings a shorter file', async ({ page }) => {
    const sim = new SimulatorPage(page, 'login');
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/code/login.json', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto('/login/');
    await sim.root.scrollIntoViewIfNeeded();
    const code = sim.root.getByRole('region', { name: '代码' });
    await expect(code).toHaveAttribute('aria-busy', 'true');
    const loading = await sim.topOf('.sim-controls');
    release();
    await expect(code).not.toHaveAttribute('aria-busy', 'true');
    await expect(code.locator('[data-code-active]').first()).toBeVisible();
    // Within a pixel: the empty row of file buttons and the row of buttons can differ by a fraction of one.
    expect(Math.abs((await sim.topOf('.sim-controls')) - loading)).toBeLessThan(1);
    // login-direct.ts is ten lines, the file before it a hundred.
    await sim.press('你的代码', '小程序直连微信接口');
    await expect(code.getByRole('button', { name: /login-direct\.ts/ })).toHaveAttribute('aria-pressed', 'true');
    expect(Math.abs((await sim.topOf('.sim-controls')) - loading)).toBeLessThan(1);
  });

  test('the code files are asked for a screen before the simulator comes into view, and used when it hydrates', async ({ page }) => {
    const asked: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/code/login.json') asked.push(request.url());
    });
    await page.goto('/login/');
    await page.waitForLoadState('networkidle');
    const screensDown = await page.evaluate(() => document.querySelector('[data-simulator="login"]')!.getBoundingClientRect().top / window.innerHeight);
    expect(screensDown, 'the test needs the simulator more than two screens below the top of the chapter').toBeGreaterThan(2);
    // A reader who stays at the top of the chapter downloads none of it.
    expect(asked).toEqual([]);
    const island = page.locator('astro-island:has([data-flow="login"])');
    await approachSimulator(page);
    await expect.poll(() => asked.length).toBe(1);
    await expect(island).toHaveAttribute('ssr');
    const sim = new SimulatorPage(page, 'login');
    await sim.root.scrollIntoViewIfNeeded();
    await expect(sim.root.getByRole('region', { name: '代码' }).locator('[data-code-active]').first()).toBeVisible();
    // The island took that request instead of asking again.
    expect(asked).toHaveLength(1);
  });

  test('a request for the code files that failed before the simulator hydrated is asked again, not reported', async ({ page }) => {
    let calls = 0;
    await page.route('**/code/login.json', (route) => (++calls === 1 ? route.abort() : route.continue()));
    await page.goto('/login/');
    await approachSimulator(page);
    await expect.poll(() => calls).toBe(1);
    // The failed request is dropped from where the island looks first.
    await expect.poll(() => page.evaluate(() => Object.keys((window as { __simulatorCode?: object }).__simulatorCode ?? {}).length)).toBe(0);
    const sim = new SimulatorPage(page, 'login');
    await sim.root.scrollIntoViewIfNeeded();
    await expect(sim.root.getByRole('region', { name: '代码' }).locator('[data-code-active]').first()).toBeVisible();
    expect(calls).toBe(2);
  });

  test('the mark sits behind the step’s lines, and the lines a reader scrolls to are drawn', async ({ sim }) => {
    const code = sim.root.getByRole('region', { name: '代码' });
    const body = code.locator('.sim-code__body');
    await sim.press('用户操作', '登录');
    await sim.step(2);
    await expect(code.locator('[data-code-active]').first()).toBeInViewport();
    const placement = await body.evaluate((element) => {
      const lines = element.querySelectorAll<HTMLElement>('[data-code-active]');
      const first = lines[0]!.getBoundingClientRect();
      const last = lines[lines.length - 1]!.getBoundingClientRect();
      const mark = element.querySelector<HTMLElement>('.sim-code__mark')!;
      const box = mark.getBoundingClientRect();
      return { hidden: mark.hidden, top: box.top - first.top, bottom: box.bottom - last.bottom, width: box.width - first.width };
    });
    expect(placement.hidden).toBe(false);
    for (const offset of [placement.top, placement.bottom, placement.width]) expect(Math.abs(offset)).toBeLessThan(1);

    // The reader scrolls to whichever end of the file is farther from the step, where no line is drawn yet
    // (checked in the same task as the scroll, before the panel can answer it).
    const blankInView = (scroll: boolean) =>
      body.evaluate((element, scroll) => {
        if (scroll) {
          const line = element.querySelector<HTMLElement>('[data-code-active]')!;
          element.scrollTop = line.offsetTop > element.scrollHeight / 2 ? 0 : element.scrollHeight;
        }
        const top = element.scrollTop;
        const bottom = top + element.clientHeight;
        return [...element.querySelectorAll<HTMLElement>('.sim-code__gap')].some((gap) => gap.offsetTop + gap.offsetHeight > top + 1 && gap.offsetTop < bottom - 1);
      }, scroll);
    expect(await blankInView(true)).toBe(true);
    await expect.poll(() => blankInView(false)).toBe(false);
  });

  test('the tab of the file a step shows is in view, however far along the row of files it is', async ({ sim }) => {
    const files = sim.root.getByRole('group', { name: '代码文件' });
    const offRow = new Set<string>();
    await sim.press('用户操作', '登录');
    for (let step = 0; step < 12 && (await sim.next.getAttribute('aria-disabled')) !== 'true'; step++) {
      const tab = await files.evaluate((strip) => {
        const pressed = strip.querySelector<HTMLElement>('[aria-pressed="true"]')!;
        const box = pressed.getBoundingClientRect();
        const row = strip.getBoundingClientRect();
        return {
          name: pressed.textContent ?? '',
          whole: box.left >= row.left - 1 && box.right <= row.right + 1,
          // Past the end of the row as it stands unscrolled.
          beyond: pressed.offsetLeft + pressed.offsetWidth > strip.clientWidth,
        };
      });
      if (tab.beyond) offRow.add(tab.name);
      expect(tab.whole, `step ${step}: ${tab.name}`).toBe(true);
      await sim.step();
    }
    // The walk reached files whose tabs start out past the row's end.
    expect(offRow.size).toBeGreaterThan(0);
  });

  test('back on a step after scrolling its code away, the panel shows the step’s lines again', async ({ page, sim }) => {
    const code = sim.root.getByRole('region', { name: '代码' });
    const body = code.locator('.sim-code__body');
    const active = () => code.locator('[data-code-active]').allTextContents().then((lines) => lines.join('\n'));
    await sim.press('用户操作', '登录');
    await expect(code.locator('[data-code-active]').first()).toBeVisible();
    let checked = false;
    for (let i = 0; i < 4 && !checked; i++) {
      const before = await active();
      // The reader scrolls the step's lines out of view, to whichever end of the file is farther from them.
      await body.evaluate((element) => {
        const mark = element.querySelector<HTMLElement>('[data-code-active]')!;
        element.scrollTop = mark.offsetTop > element.scrollHeight / 2 ? 0 : element.scrollHeight;
      });
      await expect(code.locator('[data-code-active]').first()).not.toBeInViewport();
      await sim.step();
      if ((await active()) === before) continue;
      await sim.root.getByRole('button', { name: '后退一步' }).click();
      await expect(code.locator('[data-code-active]').first()).toBeInViewport();
      expect(await active()).toBe(before);
      checked = true;
    }
    expect(checked).toBe(true);
    await expect(page).toHaveURL(/login=/);
  });

  test('the diagram keeps the newest message in view once the oldest leave it, unless the reader scrolled up', async ({ sim }) => {
    const diagram = sim.root.getByRole('region', { name: '时序图' });
    const atNewest = () => diagram.evaluate((box) => box.scrollTop + box.clientHeight >= box.scrollHeight - 8);
    const earlier = diagram.getByRole('button', { name: /显示更早的 \d+ 条消息/ });
    await sim.press('用户操作', '登录');
    await sim.step(4);
    // Each visit to 我的资料 adds its messages; the oldest leave the diagram once it holds MESSAGE_WINDOW.
    for (let visit = 0; visit < 8; visit++) {
      await sim.press('用户操作', '请求我的资料');
      while ((await sim.next.getAttribute('aria-disabled')) !== 'true') {
        await sim.step();
        await expect.poll(atNewest, { message: `visit ${visit}, step ${await sim.stepsTaken()}` }).toBe(true);
      }
    }
    await expect(earlier).toBeVisible();
    // A reader reading an older message is left there.
    await diagram.evaluate((box) => box.scrollTo({ top: box.scrollHeight / 3 }));
    await sim.press('用户操作', '请求我的资料');
    await sim.step();
    await expect(sim.root).toHaveAttribute('data-ready', 'true');
    expect(await atNewest()).toBe(false);
  });
});

test.describe('site', () => {
  test('the home page maps the published chapters and ships no framework JavaScript', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('link', { name: /小程序登录/ }).first()).toHaveAttribute('href', '/login/');
    await expect(page.locator('astro-island')).toHaveCount(0);
    const sidebar = page.locator('nav[aria-label="Main"], #starlight__sidebar').first();
    await expect(sidebar.getByRole('link', { name: '授权' })).toHaveCount(0);
    expect(await axeViolations(page)).toEqual([]);
  });
});
