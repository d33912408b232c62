/**
 * What every registered simulator must do, whatever its chapter: the test
 * contract outside checks rely on, a first step without JavaScript, tampered
 * links that show a message and start fresh, a long deep link that restores
 * in the browser exactly where the engine in Node says it ends (and steps
 * back, forward and on from there as the engine does), and axe in both
 * themes. Chapter specs keep only their own scenarios.
 */
import { expect, test } from '@playwright/test';
import { axeViolations } from './axe.ts';
import { simulations } from '../../src/chapters/registry.ts';
import { formatDeepLink } from '../../src/kit/engine/deep-link.ts';
import { knownControlIds, Simulation, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { MESSAGE_WINDOW } from '../../src/kit/shell/format.ts';
import { readSample } from '../../src/lib/code-samples.ts';
import { excerpt } from '../../src/lib/regions.ts';
import { longWalk } from './walk.ts';
import { SimulatorPage, watchForTrouble } from './simulator.ts';

const registered = await simulations();

for (const { chapter, definition } of registered) {
  const path = `/${chapter.slug}/`;
  const initial = new Simulation(definition).frame();

  test.describe(`${path} simulator contract`, () => {
    test('the shell contract: data-flow, data-state, named 下一步, one data-phone per phone, active code lines', async ({ page }) => {
      const sim = new SimulatorPage(page, definition.flow);
      await sim.open(path);
      await sim.expectState(initial.state);
      await expect(sim.next).toHaveJSProperty('tagName', 'BUTTON');
      await expect(sim.root.locator('[data-phone]')).toHaveCount(definition.phones.length);
      if (initial.code) await expect(sim.root.locator('[data-code-active]').first()).toBeAttached();
    });

    // A control of this simulator that cannot apply at the first step, if there is one.
    const blocked = [...knownControlIds(definition)].find((id) => !initial.enabled.includes(id) && !id.startsWith('next-'));
    const tampered: [string, string, string][] = [
      ['markup in a step', '1.<img src=x onerror=alert(1)>', '不是这个模拟器的操作'],
      ['an unknown version', `9.${initial.enabled[0] ?? 'next'}`, '格式版本无法识别'],
      ...(blocked ? [['a step that cannot happen yet', `1.${blocked}`, '无法还原'] as [string, string, string]] : []),
    ];
    test(`tampered links (${tampered.map(([name]) => name).join('; ')}) show a message and start fresh; a link to step 0 needs no message`, async ({ page }) => {
      const { dialogs, errors } = watchForTrouble(page);
      const sim = new SimulatorPage(page, definition.flow);
      for (const [name, value, expected] of tampered) {
        await test.step(name, async () => {
          await sim.open(path, `?${definition.flow}=${encodeURIComponent(value)}`);
          await expect(sim.root.getByRole('alert')).toContainText(expected);
          await sim.expectState(initial.state);
          await expect(sim.root.locator('img')).toHaveCount(0);
          await expect(page).not.toHaveURL(new RegExp(`[?&]${definition.flow}=`));
        });
      }
      await test.step('a link to step 0', async () => {
        await sim.open(path, `?${definition.flow}=1`);
        await sim.expectState(initial.state);
        await expect(sim.root.locator('.sim-notice:visible')).toHaveCount(0);
        await expect(page).not.toHaveURL(new RegExp(`[?&]${definition.flow}=`));
      });
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    });

    test('a long deep link restores the step the engine computes, says so without moving the step, survives a reload, and steps back and on from there', async ({ page }) => {
      const walk = await longWalk(definition);
      const sim = new SimulatorPage(page, definition.flow);
      // The island's scripts wait, so the picture before the simulator restores the link can be measured.
      const html = await (await page.request.get(path)).text();
      const island = new Set([...html.matchAll(/(?:component|renderer)-url="([^"]+)"/g)].map((match) => match[1]));
      expect(island.size).toBeGreaterThanOrEqual(2);
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route((url) => island.has(url.pathname), async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${path}?${definition.flow}=${formatDeepLink(walk.ids)}`, { waitUntil: 'domcontentloaded' });
      const before = await sim.topOf('.sim-bar');
      // The notice holding its room already says how many steps, as it will once shown.
      await expect(sim.root.locator('.sim-notice__count')).toHaveText(String(walk.ids.length));
      release();
      await expect(sim.root).toBeInViewport();
      await expect(sim.root).toHaveAttribute('data-ready', 'true');
      await page.unrouteAll();
      await sim.expectState(walk.state);
      await expect(sim.root.getByRole('status').filter({ hasText: `别人分享的第 ${walk.ids.length} 步` })).toBeVisible();
      expect(await sim.topOf('.sim-bar')).toBe(before);
      // The diagram draws the newest messages; the step log counts them all.
      await expect(sim.messages).toHaveCount(Math.min(walk.messages, MESSAGE_WINDOW));
      await expect(sim.root.getByRole('alert')).toHaveCount(0);
      await sim.reload();
      await sim.expectState(walk.state);

      // Back to the last step where 下一步 can run, on and back again, then 下一步 from there: a new step
      // that replaces the ones after it, taken on a simulation that was past it.
      const from = walk.after.findLastIndex((after, steps) => after.canStep && steps < walk.ids.length);
      expect(from).toBeGreaterThan(walk.ids.length - 10);
      for (let steps = walk.ids.length - 1; steps >= from; steps--) {
        await sim.press('历史', '后退一步');
        await sim.expectState(walk.after[steps]!.state);
      }
      // The panels below the controls follow a step back a moment later, as they follow any step.
      await expect(sim.root.locator('details.sim-log summary')).toHaveText(`操作记录（${from}）`);
      await expect(sim.root).toHaveAttribute('data-ready', 'true');
      await sim.press('历史', '前进一步');
      await sim.expectState(walk.after[from + 1]!.state);
      await sim.press('历史', '后退一步');
      await sim.expectState(walk.after[from]!.state);
      // As a reader who reads the step first: the page goes idle, and the controller prepares the step there.
      await page.evaluate(() => new Promise((resolve) => requestIdleCallback(() => requestIdleCallback(resolve))));
      await sim.step();
      const branch = [...walk.ids.slice(0, from), STEP_CONTROL_ID];
      const expected = new Simulation(definition);
      for (const id of branch) await expected.apply(id);
      const frame = expected.frame();
      await sim.expectState(frame.state);
      await expect(sim.root.locator('details.sim-log summary')).toHaveText(`操作记录（${frame.log.length}）`);
      await expect(sim.messages).toHaveCount(Math.min(frame.messages.length, MESSAGE_WINDOW));
      await expect(page).toHaveURL(new RegExp(`[?&]${definition.flow}=${formatDeepLink(branch).replaceAll('.', '\\.')}(&|#|$)`));
      await expect(sim.control('历史', '前进一步')).toHaveAttribute('aria-disabled', 'true');
    });

    for (const theme of ['light', 'dark']) {
      test(`axe finds no violations in the ${theme} theme, at the first step and after a long walk`, async ({ page }) => {
        // axe walks the whole chapter once, then the simulator after a long walk; the login chapter is long.
        test.setTimeout(240_000);
        await page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
        const sim = new SimulatorPage(page, definition.flow);
        await sim.open(path);
        expect(await axeViolations(page)).toEqual([]);
        const walk = await longWalk(definition);
        await sim.open(path, `?${definition.flow}=${formatDeepLink(walk.ids)}`);
        await page.locator(`[data-flow="${definition.flow}"] details.sim-log summary`).click();
        expect(await axeViolations(page, `[data-flow="${definition.flow}"]`)).toEqual([]);
      });
    }
  });

  test.describe(`${path} without JavaScript`, () => {
    test.use({ javaScriptEnabled: false });

    test('the chapter reads completely and the simulator shows its first step', async ({ page }) => {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1, name: chapter.title })).toBeVisible();
      await expect(page.getByRole('heading', { name: '排错速查' })).toBeVisible();
      // Markdown bold that did not close (e.g. **…。** right before a 汉字) would show its asterisks.
      const prose = await page.locator('.sl-markdown-content').evaluate((article) => {
        const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
        let text = '';
        for (let node = walker.nextNode(); node; node = walker.nextNode()) if (!node.parentElement?.closest('pre, code')) text += node.textContent;
        return text;
      });
      expect(prose).not.toContain('**');
      const root = page.locator(`[data-flow="${definition.flow}"]`);
      await expect(root).toHaveAttribute('data-state', initial.state);
      await expect(root.locator('[data-phone]')).toHaveCount(definition.phones.length);
      // A second link to a stylesheet already loaded made Chromium lay the whole page out again (src/lib/repeated-assets.ts).
      const assets = await page.locator('link[rel="stylesheet"], script[type="module"][src]').evaluateAll((tags) =>
        tags.map((tag) => tag.getAttribute('href') ?? tag.getAttribute('src')),
      );
      expect(assets.length).toBeGreaterThan(0);
      expect(assets.filter((url, index) => assets.indexOf(url) !== index)).toEqual([]);
    });
  });
}

test.describe('code blocks in a chapter', () => {
  test('the copy button copies the code as shown, in Chinese, with no copy of the code in the HTML', async ({ page }) => {
    await page.addInitScript(() => {
      (window as unknown as { copied: string[] }).copied = [];
      Object.defineProperty(navigator, 'clipboard', {
        value: { writeText: async (text: string) => void (window as unknown as { copied: string[] }).copied.push(text) },
      });
    });
    await page.goto('/login/');
    const whole = await readSample('companion/miniprogram/miniprogram/utils/http.ts');
    const core = await readSample('src/world/developer/developer-server.ts');
    const blocks = [
      { title: 'miniprogram/utils/http.ts', code: whole.code },
      { title: 'src/world/developer/developer-server.ts（服务器核心）（节选）', code: excerpt(core, ['login'], '// …') },
    ];
    for (const { title, code } of blocks) {
      const figure = page.locator('figure').filter({ has: page.locator('figcaption', { hasText: new RegExp(`^${title.replace(/[()（）.]/g, '\\$&')}$`) }) });
      const button = figure.getByRole('button', { name: '复制代码' });
      await expect(button).not.toHaveAttribute('data-code');
      // As a reader does: the block on screen, the pointer over it (the button shows on hover).
      await figure.scrollIntoViewIfNeeded();
      await figure.hover();
      await button.click();
      await expect(figure.getByText('已复制')).toBeAttached();
      expect(await page.evaluate(() => (window as unknown as { copied: string[] }).copied.at(-1))).toBe(code);
    }
  });

  test.describe('off screen', () => {
    // A narrow screen can wrap a long title onto a second line, which the lines alone do not predict.
    test.use({ viewport: { width: 1440, height: 900 } });

    test('a block is drawn only once it comes near, and takes the same room before and after', async ({ page }) => {
      await page.goto('/login/');
      const figures = page.locator('.sl-markdown-content .expressive-code > figure');
      // `contentVisibilityAuto` asks whether the browser is skipping the element's rendering for being off screen.
      const drawn = (figure: typeof figures) =>
        figure.locator('.ec-line').first().evaluate((line) => line.checkVisibility({ contentVisibilityAuto: true }));
      const height = (figure: typeof figures) => figure.evaluate((element) => element.getBoundingClientRect().height);
      const count = await figures.count();
      // Most of /login/'s blocks are whole files, screens below the top of the page.
      const skippedAtLoad = await figures.evaluateAll((all) =>
        all.filter((figure) => figure.checkVisibility() && !figure.querySelector('.ec-line')!.checkVisibility({ contentVisibilityAuto: true })).length,
      );
      expect(skippedAtLoad).toBeGreaterThanOrEqual(count - 4);
      let checked = 0;
      for (let i = 0; i < count; i++) {
        const figure = figures.nth(i);
        // Blocks in a closed <details> or an unselected tab are not rendered at all; blocks already drawn prove nothing.
        if (!(await figure.evaluate((element) => element.checkVisibility())) || (await drawn(figure))) continue;
        const before = await height(figure);
        // Not drawn, so nobody can tell yet whether it scrolls sideways: Tab must still reach it.
        const pre = figure.locator('pre');
        await expect(pre).toHaveAttribute('tabindex', '0');
        await figure.scrollIntoViewIfNeeded();
        await expect.poll(() => drawn(figure)).toBe(true);
        expect(Math.abs((await height(figure)) - before), `block ${i + 1}: ${before}px before it was drawn`).toBeLessThanOrEqual(1);
        // Drawn: it stays a keyboard stop only if it does scroll.
        await expect
          .poll(() => pre.evaluate((element) => (element.scrollWidth > element.clientWidth) === element.hasAttribute('tabindex')))
          .toBe(true);
        checked += 1;
      }
      // Drawing one block can draw the next with it when it is close enough; the rest are measured here.
      expect(checked).toBeGreaterThanOrEqual(5);
    });
  });
});

test.describe('the 本页内容 list', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('marks the section being read, whichever heading is at the top, and after a resize', async ({ page }) => {
    await page.goto('/login/');
    const toc = page.locator('starlight-toc');
    const hashes = await toc.locator('a').evaluateAll((links) => links.map((link) => (link as HTMLAnchorElement).hash));
    expect(hashes.length).toBeGreaterThan(5);
    const current = toc.locator('a[aria-current="true"]');
    // The simulator above may still grow as it hydrates and loads its code, moving the page under the
    // reader: each check scrolls again until the layout has settled.
    const readAt = async (hash: string, scroll: (heading: HTMLElement) => void) => {
      const heading = page.locator(`[id="${decodeURIComponent(hash.slice(1))}"]`);
      await expect(async () => {
        await heading.evaluate(scroll);
        await expect(current).toHaveJSProperty('hash', hash, { timeout: 2000 });
      }).toPass();
    };
    // Every listed section, then back to the first, by scrolling as a reader does.
    for (const hash of [...hashes.slice(1), hashes[1]!]) await readAt(hash, (heading) => heading.scrollIntoView({ block: 'start' }));
    // After a resize, the block right under a heading belongs to it too.
    await page.setViewportSize({ width: 1400, height: 900 });
    await readAt(hashes[2]!, (heading) => {
      const block = (heading.closest('.sl-heading-wrapper') ?? heading).nextElementSibling!;
      window.scrollTo(0, block.getBoundingClientRect().top + window.scrollY - 100);
    });
  });
});
