/**
 * 授权 chapter: pages/authorization and utils/privacy.ts. Nothing here
 * reaches the server; the scope dialogs and the privacy agreement are the
 * WeChat client's, played by the fake.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { has, node, openPage, tap, text, type SimPage } from './harness.ts';
import { useCompanion } from './stack.ts';
import type { FakeWeChat } from './wechat.ts';

const LOCATION = '#feature-1';
const MICROPHONE = '#feature-0';

let wechat: FakeWeChat;
useCompanion((_stack, w) => (wechat = w));

const settled = (page: SimPage) => vi.waitFor(() => expect(wechat.calls.filter((c) => c === 'getSetting').length).toBeGreaterThan(0)).then(() => page);

describe('on-demand authorization', () => {
  it('asks nothing on load: it only reads getSetting', async () => {
    await settled(openPage('pages/authorization/authorization'));
    expect(wechat.calls.filter((c) => !c.startsWith('onNeedPrivacy'))).toEqual(['getSetting']);
  });

  it('calls the feature API when tapped; WeChat shows its dialog once, and the feature works', async () => {
    const page = await settled(openPage('pages/authorization/authorization'));
    tap(page, LOCATION);
    await vi.waitFor(() => expect(text(page, '#result')).toBe('附近的学习小组可以用了（scope.userLocation）'));
    expect(wechat.calls).toContain('dialog scope.userLocation');
    expect(wechat.calls).toContain('getLocation');

    wechat.calls.length = 0;
    tap(page, LOCATION);
    await vi.waitFor(() => expect(wechat.calls).toContain('getLocation'));
    expect(wechat.calls).not.toContain('dialog scope.userLocation');
  });

  it('after a refusal: explains why and offers the settings button; coming back with the switch on clears it', async () => {
    wechat.state.dialogAnswers['scope.userLocation'] = false;
    const page = await settled(openPage('pages/authorization/authorization'));
    tap(page, LOCATION);
    await vi.waitFor(() => expect(text(page, '#explain')).toContain('位置用来查找附近的学习小组'));
    expect(page.data.denied).toBe('scope.userLocation');
    expect(has(page, '#open-setting')).toBe(true);

    // A second tap: WeChat remembers the refusal and fails at once, without asking again.
    wechat.calls.length = 0;
    tap(page, LOCATION);
    await vi.waitFor(() => expect(wechat.calls).toContain('getSetting'));
    expect(wechat.calls).not.toContain('dialog scope.userLocation');

    // The user taps 去设置, switches location on and comes back.
    node(page, '#open-setting').dispatchEvent('opensetting', { detail: wechat.changeSettings({ 'scope.userLocation': true }) });
    await vi.waitFor(() => expect(has(page, '#explain')).toBe(false));
    expect(page.data.authSetting).toEqual({ 'scope.userLocation': true });

    tap(page, LOCATION);
    await vi.waitFor(() => expect(text(page, '#result')).toBe('附近的学习小组可以用了（scope.userLocation）'));
  });

  it('coming back from settings with the switch still off keeps the explanation', async () => {
    wechat.state.dialogAnswers['scope.record'] = false;
    const page = await settled(openPage('pages/authorization/authorization'));
    tap(page, MICROPHONE);
    await vi.waitFor(() => expect(page.data.denied).toBe('scope.record'));
    node(page, '#open-setting').dispatchEvent('opensetting', { detail: wechat.changeSettings({}) });
    await vi.waitFor(() => expect(page.data.authSetting).toEqual({ 'scope.record': false }));
    expect(text(page, '#explain')).toContain('录音用来给你的跟读打分');
  });
});

describe('privacy agreement (onNeedPrivacyAuthorization)', () => {
  beforeEach(() => {
    wechat.state.privacyAgreed = false;
  });

  it('shows the popup with the contract name; refusing fails the call without touching authSetting', async () => {
    const page = await settled(openPage('pages/authorization/authorization'));
    tap(page, LOCATION);
    await vi.waitFor(() => expect(has(page, '#privacy-popup')).toBe(true));
    expect(text(page, '#privacy-popup')).toContain('《能力实验室小程序隐私保护指引》');

    tap(page, '#disagree-privacy');
    await vi.waitFor(() => expect(wechat.toasts).toEqual(['暂时无法使用，请稍后再试']));
    expect(has(page, '#privacy-popup')).toBe(false);
    expect(text(page, '#privacy-refused')).toContain('你没有同意隐私保护指引');
    // A privacy refusal is not a scope refusal: no dialog was shown, no false recorded, no settings button.
    expect(wechat.calls).not.toContain('dialog scope.userLocation');
    expect(page.data.authSetting).toEqual({});
    expect(has(page, '#open-setting')).toBe(false);
  });

  it('agreeing resumes the suspended call: then WeChat asks for the scope as usual', async () => {
    const page = await settled(openPage('pages/authorization/authorization'));
    tap(page, LOCATION);
    await vi.waitFor(() => expect(has(page, '#privacy-popup')).toBe(true));

    // <button open-type="agreePrivacyAuthorization">: WeChat records the agreement, then the handler resolves.
    wechat.agreePrivacyWith('agree-privacy');
    node(page, '#agree-privacy').dispatchEvent('agreeprivacyauthorization');
    await vi.waitFor(() => expect(text(page, '#result')).toBe('附近的学习小组可以用了（scope.userLocation）'));
    expect(has(page, '#privacy-popup')).toBe(false);
    expect(wechat.calls).toContain('dialog scope.userLocation');
  });

  it('two privacy calls at once: one popup, and one agreement resumes both', async () => {
    const page = await settled(openPage('pages/authorization/authorization'));
    tap(page, LOCATION);
    tap(page, MICROPHONE);
    await vi.waitFor(() => expect(wechat.calls.filter((c) => c === 'getLocation' || c === 'authorize scope.record')).toHaveLength(2));
    await vi.waitFor(() => expect(has(page, '#privacy-popup')).toBe(true));

    wechat.agreePrivacyWith('agree-privacy');
    node(page, '#agree-privacy').dispatchEvent('agreeprivacyauthorization');
    await vi.waitFor(() => expect(wechat.calls).toEqual(expect.arrayContaining(['dialog scope.userLocation', 'dialog scope.record'])));
    expect(wechat.state.authSetting).toEqual({ 'scope.userLocation': true, 'scope.record': true });
  });

  it('opens the privacy contract from the popup', async () => {
    const page = await settled(openPage('pages/authorization/authorization'));
    tap(page, MICROPHONE);
    await vi.waitFor(() => expect(has(page, '#privacy-popup')).toBe(true));
    tap(page, '.privacy__link');
    await vi.waitFor(() => expect(wechat.calls).toContain('openPrivacyContract'));
  });
});
