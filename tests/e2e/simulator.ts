/** Page object for any flow simulator: role-based locators over the shell's test contract. */
import { expect, test, type Locator, type Page } from '@playwright/test';

/** Collects what a hostile link might trigger: dialogs (dismissed at once) and uncaught page errors. */
export function watchForTrouble(page: Page): { dialogs: string[]; errors: string[] } {
  const trouble = { dialogs: [] as string[], errors: [] as string[] };
  page.on('dialog', (dialog) => {
    trouble.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => trouble.errors.push(error.message));
  return trouble;
}

/**
 * A 1-pixel element for a resize observer to watch: a new observer reports its target's size once, after the
 * frame's animation callbacks and layout, just before the paint, which is as late in a frame as a page can
 * look. Observers are called in the order they were made, so the page's own, which may still draw, come first.
 */
const PROBE_STYLE = 'position:fixed;inset:0 auto auto 0;inline-size:1px;block-size:1px;pointer-events:none';

/** Waits until what a step draws after its paint (a frame and a task later) has been painted too. */
function settle(page: Page): Promise<void> {
  return page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    await frame();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await frame();
    await frame();
  });
}

/**
 * Checks every frame before it is painted for a code panel showing blank space where lines should be:
 * the panel draws the lines in view first and those around them a moment later, and a frame whose view
 * reaches past what is drawn would show a reader an empty stretch of file. Returns a function that counts
 * the frames that had one, once the lines drawn after the last step's paint have been painted too.
 * The check runs in a resize observer on a probe (PROBE_STYLE), made anew each frame.
 */
export async function watchCodeGaps(page: Page): Promise<() => Promise<number>> {
  await page.addInitScript((probeStyle) => {
    const seen = { frames: 0 };
    (window as unknown as { __codeGaps: typeof seen }).__codeGaps = seen;
    const probe = document.createElement('div');
    probe.style.cssText = probeStyle;
    const check = () => {
      for (const body of document.querySelectorAll<HTMLElement>('.sim-code__body')) {
        const top = body.scrollTop;
        const bottom = top + body.clientHeight;
        for (const gap of body.querySelectorAll<HTMLElement>('.sim-code__gap')) {
          if (gap.offsetTop + gap.offsetHeight > top + 1 && gap.offsetTop < bottom - 1) {
            seen.frames++;
            break;
          }
        }
      }
    };
    const everyFrame = () => {
      if (!probe.isConnected) document.documentElement.append(probe);
      const observer = new ResizeObserver(() => {
        observer.disconnect();
        check();
      });
      observer.observe(probe);
      requestAnimationFrame(everyFrame);
    };
    requestAnimationFrame(everyFrame);
  }, PROBE_STYLE);
  return async () => {
    await settle(page);
    return page.evaluate(() => (window as unknown as { __codeGaps: { frames: number } }).__codeGaps.frames);
  };
}

export class SimulatorPage {
  readonly root: Locator;

  constructor(
    readonly page: Page,
    readonly flow: string,
  ) {
    this.root = page.locator(`[data-flow="${flow}"]`);
  }

  /**
   * Opens the chapter. With a shared step in the query the page must bring the
   * simulator on screen by itself, so nothing scrolls for it; otherwise the
   * reader scrolls down to it, which is what hydrates it.
   */
  async open(path: string, query = '') {
    await this.page.goto(`${path}${query}`);
    if (new URLSearchParams(query).has(this.flow)) await expect(this.root).toBeInViewport();
    else await this.root.scrollIntoViewIfNeeded();
    await expect(this.root).toHaveAttribute('data-ready', 'true');
  }

  /** Reloads the page: a fresh visit to the link the shell keeps in the address bar, so the simulator comes on screen by itself. */
  async reload() {
    await this.page.reload();
    await expect(this.root).toBeInViewport();
    await expect(this.root).toHaveAttribute('data-ready', 'true');
  }

  group(name: string): Locator {
    return this.root.getByRole('group', { name, exact: true });
  }

  control(group: string, name: string): Locator {
    return this.group(group).getByRole('button', { name, exact: true });
  }

  get next(): Locator {
    return this.control('流程', '下一步');
  }

  /** The phone's page behind a dialog, to check that it is out of reach. */
  get phonePage(): Locator {
    return this.root.locator('[data-phone] .sim-phone__page');
  }

  async press(group: string, name: string) {
    await this.control(group, name).click();
  }

  /** Presses 下一步 and waits until the step is taken and drawn (the diagram draws only the newest messages). */
  async step(times = 1) {
    for (let i = 0; i < times; i++) {
      const before = await this.stepsTaken();
      await this.next.click();
      await expect.poll(() => this.stepsTaken()).toBe(before + 1);
      await expect(this.root).toHaveAttribute('data-ready', 'true');
    }
  }

  /**
   * The step bar's count, 第 N 步. Not the step log's heading: the log is drawn a moment after a step,
   * so right after a press it may still show the count before it, and a count taken then is one short.
   */
  async stepsTaken(): Promise<number> {
    const label = await this.root.locator('.sim-bar__step').textContent();
    return Number(/第 (\d+) 步/.exec(label ?? '')?.[1] ?? Number.NaN);
  }

  /**
   * Presses 下一步 once the last step is drawn, and counts how often the code panel's lines change before
   * this step's first paint: once (the lines in view) when the panel draws the rest after the paint, as it
   * should. Counted in a resize observer on a probe (PROBE_STYLE) made when the step first draws; 0 if the
   * step changes no line within a second.
   */
  async codeDrawsBeforePaint(): Promise<number> {
    await settle(this.page);
    return this.next.evaluate(
      (button, probeStyle) =>
        new Promise<number>((resolve) => {
          const body = button.closest('[data-flow]')!.querySelector('.sim-code__body')!;
          const probe = document.createElement('div');
          probe.style.cssText = probeStyle;
          let draws = 0;
          setTimeout(() => {
            if (draws === 0) {
              drawn.disconnect();
              resolve(0);
            }
          }, 1000);
          const drawn = new MutationObserver(() => {
            if (++draws > 1) return;
            document.documentElement.append(probe);
            const painting = new ResizeObserver(() => {
              painting.disconnect();
              drawn.disconnect();
              probe.remove();
              resolve(draws);
            });
            painting.observe(probe);
          });
          drawn.observe(body, { childList: true, subtree: true });
          (button as HTMLElement).click();
        }),
      PROBE_STYLE,
    );
  }

  /** Presses a button the way a keyboard reader does: focus it, then Enter. */
  async pressWithKeyboard(target: Locator) {
    await target.focus();
    await this.page.keyboard.press('Enter');
  }

  /** Presses Tab until `target` has focus, as a keyboard reader would reach it. */
  async tabTo(target: Locator, limit = 80) {
    for (let i = 0; i < limit && !(await target.evaluate((el) => el === document.activeElement)); i++) {
      await this.page.keyboard.press('Tab');
    }
    await expect(target).toBeFocused();
  }

  get messages(): Locator {
    return this.root.getByRole('region', { name: '时序图' }).getByRole('listitem');
  }

  /** Where a part of the simulator starts, measured from the simulator's top: it moves when something above it changes height. */
  async topOf(selector: string): Promise<number> {
    return this.root.locator(selector).first().evaluate((part) => part.getBoundingClientRect().top - part.closest('.sim')!.getBoundingClientRect().top);
  }

  async expectState(state: string) {
    await expect(this.root).toHaveAttribute('data-state', state);
  }
}

/**
 * A chapter spec's `test`, whose `sim` fixture is `create(page)` opened at `/<flow>/` and ready.
 * Fixtures are lazy: a test that opens the chapter otherwise (from a shared step, or after listening for
 * something) makes its own page object and never starts this one.
 */
export function simulatorTest<TSim extends SimulatorPage>(create: (page: Page) => TSim) {
  return test.extend<{ sim: TSim }>({
    sim: async ({ page }, use) => {
      const sim = create(page);
      await sim.open(`/${sim.flow}/`);
      await use(sim);
    },
  });
}

/** `simulatorTest` for a chapter with no page object of its own. */
export const chapterTest = (flow: string) => simulatorTest((page) => new SimulatorPage(page, flow));
