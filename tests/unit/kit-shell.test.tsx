// @vitest-environment jsdom
/**
 * The kit's React shell on the fixture chapter: five lanes drawn from the
 * definition, no phone frame, a lane pick while two lanes are busy, the
 * scheduled expiry delivered by 下一步, and the test contract outside checks
 * rely on (data-flow, data-state, named buttons).
 */
import { act } from 'preact/test-utils';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { breakPoints, byWhom, groupDigits, joinWords, MESSAGE_WINDOW } from '../../src/kit/shell/format.ts';
import { unavailableNow, type Frame } from '../../src/kit/engine/engine.ts';
import { loopLabelPlacement } from '../../src/kit/shell/SequenceDiagram.tsx';
import { SimulatorShell, simulatorIsland } from '../../src/kit/shell/SimulatorShell.tsx';
import type { HighlightedCode } from '../../src/kit/shell/highlighted.ts';
import { fixtureSimulation } from '../support/fixture-simulation.ts';

let container: HTMLDivElement;

async function mount() {
  container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  await act(async () => root.render(<SimulatorShell definition={fixtureSimulation} code={{ status: 'ready', code: { palette: [], samples: [] } }} />));
  return root;
}

function button(name: string): HTMLButtonElement {
  const found = [...container.querySelectorAll('button')].find((b) => b.textContent === name);
  if (!found) throw new Error(`no button ${name}: ${[...container.querySelectorAll('button')].map((b) => b.textContent).join(' | ')}`);
  return found;
}

async function click(name: string) {
  await act(async () => button(name).click());
  // The controller resolves on a promise chain, and the panels below the controls draw after the next
  // paint: wait until the shell says the step is drawn.
  for (let wait = 0; wait < 50; wait++) {
    await act(async () => new Promise((resolve) => setTimeout(resolve, 20)));
    if (root().dataset.ready === 'true') return;
  }
  throw new Error('the step was never drawn whole (data-ready stayed false)');
}

const root = () => container.querySelector<HTMLElement>('[data-flow]')!;

afterEach(() => {
  container.remove();
  vi.unstubAllGlobals();
});

describe('the kit shell', () => {
  it('draws the chapter’s five lanes and no phone', async () => {
    await mount();
    expect(root().dataset.flow).toBe('fixture');
    expect(root().dataset.state).toBe('idle');
    expect(container.querySelectorAll('[data-phone]')).toHaveLength(0);
    expect([...container.querySelectorAll('.sim-seq__lanes span')].map((s) => s.textContent)).toEqual([
      '服务器 A',
      '服务器 B',
      '共享存储',
      '微信服务器',
      '运维',
    ]);
  });

  it('lets the reader pick a lane while two are busy, then delivers the scheduled expiry on 下一步', async () => {
    await mount();
    await click('开始');
    expect(root().dataset.state).toBe('fetching');
    await click('先处理：服务器 B');
    expect(container.querySelector('[aria-label="接下来会发生"]')).toBeNull();
    expect(() => button('先处理：服务器 A')).toThrow();
    await click('下一步');
    expect(root().dataset.state).toBe('serving');
    expect(container.querySelector('[aria-label="接下来会发生"] li')?.textContent).toBe('微信服务器：T2 过期');
    await click('下一步');
    expect(container.querySelector('.sim-world__clock')?.textContent).toContain('7,200,000 ms');
    expect(container.querySelector('[aria-label="微信服务器 → 运维：T2 过期"]')).not.toBeNull();
  });

  it('draws the step bar with the step and the panels below it after the paint', async () => {
    history.replaceState(null, '', '/');
    await mount();
    await click('开始');
    // What the reader sees at the moment a step is marked as not yet drawn whole: the bar already
    // says 第 2 步, the event log below still lists one step.
    const seen: string[] = [];
    const observer = new MutationObserver(() => {
      if (root().dataset.ready === 'false') {
        seen.push(`${container.querySelector('.sim-bar__step')?.textContent} · ${container.querySelector('.sim-log summary')?.textContent}`);
      }
    });
    observer.observe(root(), { attributes: true, attributeFilter: ['data-ready'] });
    await click('先处理：服务器 B');
    observer.disconnect();
    expect(seen).toEqual([expect.stringMatching(/第 2 步 · .*（1）/)]);
    expect(container.querySelector('.sim-log summary')?.textContent).toContain('（2）');
  });

  it('fetches its code after the first render, says so while it waits, and explains a failed request', async () => {
    const code: HighlightedCode = {
      palette: [['#111111', '#eeeeee'], ['#aa0000', '#ff8888']],
      samples: [
        { file: 'x.ts', title: 'x.ts', lines: [[['const', 1], ' a = 1;'], [['const', 1], ' b = 2;']], columns: 12, regions: { a: [1, 1], b: [2, 2] } },
        { file: 'y.ts', title: 'y.ts', lines: [['fetch();'], ['done();']], columns: 8, regions: { b: [2, 2] } },
      ],
    };
    const answers = [new Response('nope', { status: 404 }), Response.json(code)];
    const fetched: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      fetched.push(url);
      return answers.shift()!;
    });
    // The walk above left its step in the URL; this island starts from the first step.
    history.replaceState(null, '', '/');
    const Island = simulatorIsland(fixtureSimulation);
    const show = async () => {
      container = document.createElement('div');
      document.body.append(container);
      const island = createRoot(container);
      await act(async () => island.render(<Island />));
      await vi.waitFor(() => expect(container.querySelector('.sim-code')?.getAttribute('aria-busy')).not.toBe('true'));
      return island;
    };

    // The island asks for its flow's file under the site's base.
    const failed = await show();
    expect(container.querySelector('[role="alert"]')?.textContent).toContain('HTTP 404');
    await act(async () => failed.unmount());
    container.remove();

    // The failure is not remembered: the next mount asks again and shows the step's lines.
    await show();
    expect(fetched).toEqual(['/code/fixture.json', '/code/fixture.json']);
    expect(container.querySelector('[data-code-active]')?.textContent).toBe('1const a = 1;\n');
    // Colours are classes of the chapter's palette, whose rules the page carries for this panel.
    expect(container.querySelector('[data-code-active] .sim-c1')?.textContent).toBe('const');
    expect(container.querySelector('.sim-code')?.getAttribute('data-palette')).toBe('fixture');

    // A step whose code is in another file shows that file in place of the first.
    await click('开始');
    expect(container.querySelectorAll('.sim-code pre')).toHaveLength(1);
    expect(container.querySelector('.sim-code__body')?.getAttribute('aria-label')).toBe('代码：y.ts');
    expect(container.querySelector('[data-code-active]')?.textContent).toBe('2done();\n');
    expect(container.querySelectorAll('[data-code-active]')).toHaveLength(1);
  });

  it('draws the lines of a long file around the step and leaves the others as space of their height', async () => {
    history.replaceState(null, '', '/');
    const long = Array.from({ length: 400 }, (_, index) => [`line${index + 1}();`]);
    const code: HighlightedCode = {
      palette: [],
      samples: [
        { file: 'x.ts', title: 'x.ts', lines: [['a();']], columns: 4, regions: { a: [1, 1] } },
        { file: 'y.ts', title: 'y.ts', lines: long, columns: 12, regions: { b: [250, 251] } },
      ],
    };
    container = document.createElement('div');
    document.body.append(container);
    await act(async () => createRoot(container).render(<SimulatorShell definition={fixtureSimulation} code={{ status: 'ready', code }} />));
    await click('开始');
    const numbers = [...container.querySelectorAll('.sim-code__line .sim-code__number')].map((n) => Number(n.textContent));
    expect(numbers.length).toBeLessThan(200);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, index) => numbers[0]! + index));
    expect(numbers[0]).toBeLessThan(250);
    expect(numbers.at(-1)).toBeGreaterThan(251);
    expect([...container.querySelectorAll('[data-code-active]')].map((line) => line.textContent)).toEqual(['250line250();\n', '251line251();\n']);
    const gaps = [...container.querySelectorAll<HTMLElement>('.sim-code__gap')].map((gap) => gap.style.blockSize);
    expect(gaps).toEqual([`${numbers[0]! - 1}lh`, `${400 - numbers.at(-1)!}lh`]);
  });

  it('draws only the newest messages of a long history until the reader asks for the earlier ones', async () => {
    history.replaceState(null, '', '/');
    await mount();
    const rows = () => container.querySelectorAll('.sim-msg').length;
    const total = () => Number(/（(\d+)）/.exec(container.querySelector('.sim-log summary')!.textContent!)?.[1]);
    for (let round = 0; round < 40 && !container.querySelector('.sim-seq__earlier'); round += 1) {
      await click('开始');
      await click('下一步');
      await click('下一步');
    }
    expect(total()).toBeGreaterThan(0);
    expect(rows()).toBe(MESSAGE_WINDOW);
    const earlier = container.querySelector<HTMLButtonElement>('.sim-seq__earlier')!;
    const hidden = Number(/(\d+)/.exec(earlier.textContent!)?.[1]);
    expect(hidden).toBeGreaterThan(0);
    await act(async () => earlier.click());
    expect(rows()).toBe(MESSAGE_WINDOW + hidden);
    expect(container.querySelector('.sim-seq__earlier')).toBeNull();
  });
});

describe('byWhom', () => {
  it('names who does it, unless the words already start with them', () => {
    expect(byWhom('微信服务器', 'T2 过期')).toBe('微信服务器：T2 过期');
    expect(byWhom('微信客户端', '微信客户端周期性拉取')).toBe('微信客户端周期性拉取');
  });
});

describe('breakPoints', () => {
  it('lets a label break after a path separator before a name, and keeps it whole otherwise', () => {
    expect(breakPoints('GET /sns/jscode2session')).toEqual(['GET /', 'sns/', 'jscode2session']);
    expect(breakPoints('wx.requestSubscribeMessage')).toEqual(['wx.requestSubscribeMessage']);
    expect(breakPoints('200 OK { token }')).toEqual(['200 OK { token }']);
    expect(breakPoints('耗时 1.5 秒').join('')).toBe('耗时 1.5 秒');
    expect(breakPoints('GET /api/me?x=1').join('')).toBe('GET /api/me?x=1');
  });
});

describe('joinWords', () => {
  it('puts a space between a Latin word and a Han character, either way round, and nowhere else', () => {
    expect(joinWords('打开 App', '模拟器')).toBe('打开 App 模拟器');
    expect(joinWords('学习 App', '的界面')).toBe('学习 App 的界面');
    expect(joinWords('小程序', 'Worker')).toBe('小程序 Worker');
    expect(joinWords('小程序登录', '模拟器')).toBe('小程序登录模拟器');
    expect(joinWords('access_token', '（服务端）')).toBe('access_token（服务端）');
  });
});

describe('unavailableNow', () => {
  it('sends the reader to 下一步 while a step is waiting, and only says it is unavailable otherwise', () => {
    const waiting = { pending: [{}] as Frame['pending'], nextDescription: '微信返回 code' };
    expect(unavailableNow('登录', waiting)).toBe('「登录」此刻不可用，先按「下一步」处理：微信返回 code');
    expect(unavailableNow('登录')).toBe('「登录」此刻不可用');
    // Only a scheduled event ahead: 下一步 would not make the control available, so it is not named.
    expect(unavailableNow('登录', { pending: [], nextDescription: '等到 T1 到期' })).toBe('「登录」此刻不可用');
    expect(unavailableNow('点「叫号时通知我」')).toBe('「点『叫号时通知我』」此刻不可用');
  });
});

describe('groupDigits', () => {
  it('writes a whole number as toLocaleString(\'en-US\') does', () => {
    for (const value of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 1_664_079, 123_456_789_012, -1234]) {
      expect(groupDigits(value)).toBe(value.toLocaleString('en-US'));
    }
    expect(groupDigits(1234.6)).toBe('1,235');
  });
});

describe('loopLabelPlacement', () => {
  it('starts a loop\'s label at the lifeline when there is room to its right, and ends it there otherwise', () => {
    expect(loopLabelPlacement(100 / 12)).toMatchObject({ marginInlineStart: `${100 / 12}%`, alignSelf: 'flex-start' });
    expect(loopLabelPlacement(87.5)).toMatchObject({ marginInlineEnd: '12.5%', maxWidth: '87.5%', alignSelf: 'flex-end', textAlign: 'end' });
    // The switch: up to 60 % the label still has 40 % of the row to its right.
    expect(loopLabelPlacement(60)).toMatchObject({ alignSelf: 'flex-start', maxWidth: '40%' });
    expect(loopLabelPlacement(61)).toMatchObject({ alignSelf: 'flex-end', maxWidth: '61%' });
  });
});
