/**
 * The simulator as a workbench, for every registered chapter, at a desktop
 * (1440×900) and a phone (390×844) size: a shared link opens on its step
 * without the reader scrolling; the step control, the phone and the code of
 * the step fit on one screen; → and ← step through history from the keyboard;
 * nothing overflows sideways on a phone.
 */
import { expect, test } from '@playwright/test';
import { simulations } from '../../src/chapters/registry.ts';
import { formatDeepLink } from '../../src/kit/engine/deep-link.ts';
import { Simulation } from '../../src/kit/engine/engine.ts';
import { SimulatorPage, watchCodeGaps } from './simulator.ts';
import { longWalk } from './walk.ts';

const registered = await simulations();

for (const [width, height] of [
  [1440, 900],
  [390, 844],
] as const) {
  test.describe(`at ${width}×${height}`, () => {
    test.use({ viewport: { width, height } });

    for (const { chapter, definition } of registered) {
      const path = `/${chapter.slug}/`;

      test(`${path}: a shared link opens on its step, in view, without scrolling`, async ({ page }) => {
        const walk = await longWalk(definition, 12);
        const codeRequests: string[] = [];
        page.on('request', (request) => new URL(request.url()).pathname.includes('/code/') && codeRequests.push(request.url()));
        const codeGapFrames = await watchCodeGaps(page);
        await page.goto(`${path}?${definition.flow}=${formatDeepLink(walk.ids)}`);
        const sim = new SimulatorPage(page, definition.flow);
        await expect(sim.root).toHaveAttribute('data-ready', 'true');
        // The code files the page asked for while loading are the ones the code panel shows: asked for once.
        await expect(sim.root.getByRole('group', { name: '代码文件' })).toBeVisible();
        expect(codeRequests).toHaveLength(1);
        // The step's lines were drawn first, those around them later; no frame showed blank space for a line.
        await expect(sim.root.locator('.sim-code__line')).not.toHaveCount(0);
        expect(await codeGapFrames()).toBe(0);
        await sim.expectState(walk.state);
        await expect(sim.root.getByRole('status').filter({ hasText: `分享的第 ${walk.ids.length} 步` })).toBeInViewport();
        await expect(sim.next).toBeInViewport();
        // The diagram shows the newest message, also once it has drawn the rows it holds but had left undrawn
        // (content-visibility: they take their real height only when they come near the view).
        const diagram = sim.root.getByRole('region', { name: '时序图' });
        await diagram.scrollIntoViewIfNeeded();
        await diagram.evaluate(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))));
        expect(await diagram.evaluate((box) => box.scrollHeight - box.scrollTop - box.clientHeight)).toBeLessThan(8);
        // The way back to the start is right there.
        await sim.root.getByRole('button', { name: '从头开始' }).click();
        await expect(page).not.toHaveURL(new RegExp(`[?&]${definition.flow}=`));
      });

      test(`${path}: → steps forward and ← steps back, announced`, async ({ page }) => {
        const sim = new SimulatorPage(page, definition.flow);
        await sim.open(path);
        const initial = (await sim.root.getAttribute('data-state'))!;
        // The reader's first action that is available at the start; its effect (if any) waits for 下一步.
        const enabled = new Simulation(definition).frame().enabled;
        const first = definition.controls.find((c) => c.kind === 'user' && enabled.includes(c.id))!;
        await sim.root.locator(`.sim-controls [data-control="${first.id}"]`).click();
        const afterTap = (await sim.root.getAttribute('data-state'))!;
        const canStep = (await sim.next.getAttribute('aria-disabled')) === 'false';
        await sim.next.focus();
        if (canStep) {
          await page.keyboard.press('ArrowRight');
          // A step may leave the state as it is (a message crosses while the flow waits on); the step count always moves.
          await expect(sim.root.locator('.sim-visually-hidden[aria-live="polite"]')).toContainText('第 2 步');
          await page.keyboard.press('ArrowLeft');
          await expect(sim.root.locator('.sim-visually-hidden[aria-live="polite"]')).toContainText('第 1 步');
          await sim.expectState(afterTap);
        }
        await page.keyboard.press('ArrowLeft');
        await sim.expectState(initial);
        await page.keyboard.press('ArrowRight');
        await sim.expectState(afterTap);
      });

      if (width === 1440) {
        test(`${path}: with the simulator at the top, 下一步, the phone and the step's code are all on screen; the full-window workbench puts them beside the messages, and Esc leaves it`, async ({ page }) => {
          const walk = await longWalk(definition, 6);
          const codeGapFrames = await watchCodeGaps(page);
          const sim = new SimulatorPage(page, definition.flow);
          await sim.open(path, `?${definition.flow}=${formatDeepLink(walk.ids)}`);
          const phones = await sim.root.locator('[data-phone]').all();
          await sim.root.evaluate((el) => el.scrollIntoView({ block: 'start' }));
          await expect(sim.next).toBeInViewport();
          for (const phone of phones) await expect(phone).toBeInViewport({ ratio: 0.8 });
          if (walk.hasCode) await expect(sim.root.locator('[data-code-active]').first()).toBeInViewport();
          // Until the workbench opens, nothing sets the bar's height on the root, which would restyle all of it.
          expect(await sim.root.evaluate((root) => root.style.getPropertyValue('--sim-bar-height'))).toBe('');

          await sim.root.getByRole('button', { name: '全屏工作台' }).click();
          await expect(sim.root.getByRole('button', { name: '收起工作台' })).toHaveAttribute('aria-pressed', 'true');
          await expect(sim.next).toBeInViewport();
          await expect(sim.root.getByRole('region', { name: '时序图' })).toBeInViewport();
          // The messages stick right under the step bar, however tall it has wrapped.
          const stuckUnderBar = () =>
            sim.root.evaluate((root) => getComputedStyle(root.querySelector('.sim-seq')!).top === `${root.querySelector<HTMLElement>('.sim-bar')!.offsetHeight}px`);
          await expect.poll(stuckUnderBar).toBe(true);
          // It covers the whole window below the header: nothing of the page (the sidebars) is drawn over it.
          const covered = await sim.root.evaluate((root) =>
            [0.02, 0.5, 0.98].flatMap((x) => [0.2, 0.9].map((y) => document.elementFromPoint(innerWidth * x, innerHeight * y))).filter((hit) => !root.contains(hit)).map((hit) => hit?.className),
          );
          expect(covered).toEqual([]);
          for (const phone of phones) await expect(phone).toBeInViewport({ ratio: 0.8 });
          if (walk.hasCode) await expect(sim.root.locator('[data-code-active]').first()).toBeInViewport();
          // The workbench's code panel is taller than a step's first lines: back through the link's steps, each
          // step's code arrives whole in the frame that shows it.
          for (let left = walk.ids.length - 1; left >= 0; left--) {
            await sim.root.getByRole('button', { name: '后退一步' }).click();
            await expect(sim.root.locator('.sim-bar__step')).toHaveText(`第 ${left} 步`);
          }
          expect(await codeGapFrames()).toBe(0);
          // A click on plain text keeps the keys working: → steps, Esc leaves.
          await sim.root.locator('.sim-bar__step').click();
          await page.keyboard.press('ArrowRight');
          await expect(sim.root.locator('.sim-bar__step')).toHaveText('第 1 步');
          // Tab and Shift+Tab wrap around inside the workbench, never reaching the chapter hidden behind it.
          for (const key of ['Tab', 'Shift+Tab']) {
            for (let tab = 0; tab < 40; tab++) {
              await page.keyboard.press(key);
              expect(await page.evaluate(() => document.activeElement?.closest('.sim') != null), `${key} ${tab + 1}`).toBe(true);
            }
          }
          await page.keyboard.press('Escape');
          await expect(sim.root.getByRole('button', { name: '全屏工作台' })).toHaveAttribute('aria-pressed', 'false');
          expect(await sim.root.evaluate((root) => root.style.getPropertyValue('--sim-bar-height'))).toBe('');
        });
      } else {
        test(`${path}: nothing overflows sideways, and the step bar stays reachable`, async ({ page }) => {
          const sim = new SimulatorPage(page, definition.flow);
          await sim.open(path);
          expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
          await sim.root.getByRole('region', { name: '时序图' }).scrollIntoViewIfNeeded();
          await expect(sim.next).toBeInViewport();
        });
      }
    }
  });
}
