/**
 * 打开 App chapter: pages/launch-app. The page shows how it was entered,
 * predicts the return ticket with utils/launch-app-rule.ts (the rule the
 * site's simulator uses), and logs binderror. No server is involved; the
 * fake WeChat feeds scenes as a user coming back through each entrance would.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { node, openPage, startMiniProgram, text, unloadPages } from './harness.ts';
import { createSceneWeChat, type SceneWeChatOptions } from './scenes.ts';

const APP_ID = 'wxa0b1c2d3e4f5a6b7';
const PAGE = 'pages/launch-app/launch-app';

function open(options: SceneWeChatOptions) {
  const wechat = createSceneWeChat(options);
  startMiniProgram(wechat.wx, { serverUrl: 'http://127.0.0.1:1', emulator: null });
  return { wechat, page: openPage(PAGE) };
}

const prediction = (page: ReturnType<typeof openPage>) => page.data.prediction;

beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  unloadPages();
  vi.restoreAllMocks();
});

describe('launch-app page', () => {
  it('opened by the App (1069): shows the scene and the App’s appId, and predicts the ticket', () => {
    const { page } = open({ scene: 1069, referrerAppId: APP_ID, sdkVersion: '2.32.3' });
    expect(text(page, '#scene')).toBe('1069 移动应用（App 拉起）');
    expect(text(page, '#referrer')).toBe(APP_ID);
    expect(text(page, '#sdk')).toBe('2.32.3');
    expect(prediction(page)).toBe('yes');
    expect(text(page, '#reason')).toBe('1069 发放打开 App 的能力');
  });

  it('keeps the ticket through 1089 and 1038, and a QR scan (1011) clears it', () => {
    const { wechat, page } = open({ scene: 1069, referrerAppId: APP_ID, sdkVersion: '2.32.3' });
    wechat.enter(1089);
    expect(prediction(page)).toBe('yes');
    wechat.enter(1038, 'wx0other0mini0prog');
    expect(prediction(page)).toBe('yes');
    expect(text(page, '#referrer')).toBe('wx0other0mini0prog');
    wechat.enter(1011);
    expect(prediction(page)).toBe('no');
    expect(text(page, '#prediction')).toContain('invalid scene');
    expect(text(page, '#referrer')).toBe('（无）');
    // Kept scenes keep a cleared ticket cleared; only the App can grant it again.
    wechat.enter(1089);
    expect(prediction(page)).toBe('no');
    wechat.enter(1069, APP_ID);
    expect(prediction(page)).toBe('yes');
  });

  it('applies the base-library gates: 1038 below 2.2.4 and 1001 below 2.17.3 clear the ticket', () => {
    const old = open({ scene: 1069, sdkVersion: '2.2.3', hasAppBaseInfo: false });
    old.wechat.enter(1038);
    expect(prediction(old.page)).toBe('no');
    expect(text(old.page, '#reason')).toBe('1038 要基础库 2.2.4 起才保持状态，当前是 2.2.3，能力被收走');
    unloadPages();

    const mid = open({ scene: 1069, sdkVersion: '2.17.2', hasAppBaseInfo: false });
    mid.wechat.enter(1038);
    expect(prediction(mid.page)).toBe('yes');
    mid.wechat.enter(1001);
    expect(prediction(mid.page)).toBe('no');
    unloadPages();

    const recent = open({ scene: 1069, sdkVersion: '2.17.3', hasAppBaseInfo: false });
    recent.wechat.enter(1001);
    recent.wechat.enter(1131);
    recent.wechat.enter(1187);
    expect(prediction(recent.page)).toBe('yes');
  });

  it('opened through a keeping scene, it cannot know the earlier entries and says so', () => {
    const { page } = open({ scene: 1089, sdkVersion: '2.32.3' });
    expect(prediction(page)).toBe('unknown');
    expect(text(page, '#reason')).toBe('1089 保持上一次的状态');
  });

  it('logs binderror with the scene it happened in, newest first, five at most', async () => {
    const { wechat, page } = open({ scene: 1011, sdkVersion: '2.32.3' });
    const button = node(page, '#launch-app');
    expect(page.data.appParameter).toBe('lesson=42');
    // Events arrive asynchronously, as in WeChat.
    button.dispatchEvent('error', { detail: { errMsg: 'invalid scene' } });
    await vi.waitFor(() => expect(text(page, '#error-0')).toContain('invalid scene（场景值 1011）'));
    expect(text(page, '#error-0')).toContain('请用户回到 App');
    expect(console.error).toHaveBeenCalledWith('launchApp 失败：', 'invalid scene', '场景值', 1011);

    wechat.enter(1014);
    button.dispatchEvent('error', { detail: { errMsg: 'something else' } });
    await vi.waitFor(() => expect(text(page, '#error-0')).toContain('something else（场景值 1014）'));
    expect(text(page, '#error-0')).toContain('不是文档列出的错误');
    for (let i = 0; i < 5; i++) button.dispatchEvent('error', { detail: { errMsg: 'invalid scene' } });
    await vi.waitFor(() => expect(text(page, '#error-4')).toContain('invalid scene'));
    expect(page.data.errors).toHaveLength(5);
  });

  it('stops listening when the page unloads', () => {
    const { wechat } = open({ scene: 1069, sdkVersion: '2.32.3' });
    expect(wechat.listeners).toHaveLength(1);
    unloadPages();
    expect(wechat.listeners).toHaveLength(0);
  });
});
