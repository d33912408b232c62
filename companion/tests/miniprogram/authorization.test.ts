// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installFakeWx, mp, renderPage, unloadPages, type FakeWx } from './harness.ts';

const { failReason, pickScopes } = mp<{
  failReason(errMsg: string): string;
  pickScopes(authSetting: Record<string, boolean>): Record<string, boolean>;
}>('lib/authorization-host');

type Feature = { scope: string; state: string; result: string; explanation: string };
const feature = (page: ReturnType<typeof renderPage>, scope: string) =>
  (page.data.features as Feature[]).find((f) => f.scope === scope)!;

describe('授权 page', () => {
  let fake: FakeWx;

  beforeEach(() => {
    fake = installFakeWx();
  });
  afterEach(unloadPages);

  it('asks nothing on load: it only reads wx.getSetting', async () => {
    const page = renderPage('authorization');

    await vi.waitFor(() => expect(page.data.busy).toBe(false));
    expect(fake.calls).toEqual(['getSetting']);
    expect(feature(page, 'scope.record').state).toBe('尚未询问');
    expect(page.data.showSettingsButton).toBe(false);
  });

  it('tapping 位置 calls wx.getLocation, which asks; the answer is remembered', async () => {
    const page = renderPage('authorization');
    await vi.waitFor(() => expect(page.data.busy).toBe(false));

    page.querySelector('#feature-1')!.dispatchEvent('tap');

    await vi.waitFor(() => expect(feature(page, 'scope.userLocation').state).toBe('已允许'));
    expect(fake.calls).toEqual(['getSetting', 'getLocation']);
    expect(feature(page, 'scope.userLocation').result).toBe('getLocation:ok');
    expect(page.data.notice).toBe('纬度 39.9042，经度 116.4074');
  });

  it('after a refusal: explains why, and the openSetting button brings the user back with the new setting', async () => {
    fake.state.userAnswers['scope.record'] = false;
    const page = renderPage('authorization');
    await vi.waitFor(() => expect(page.data.busy).toBe(false));

    page.querySelector('#feature-0')!.dispatchEvent('tap');

    await vi.waitFor(() => expect(feature(page, 'scope.record').state).toBe('已拒绝'));
    expect(fake.calls).toEqual(['getSetting', 'authorize scope.record']);
    expect(feature(page, 'scope.record').result).toBe('authorize:fail auth deny');
    expect(feature(page, 'scope.record').explanation).toContain('微信不会再弹窗询问');
    expect(page.data.showSettingsButton).toBe(true);

    // A second tap: WeChat remembers the refusal and fails at once, without a dialog.
    page.querySelector('#feature-0')!.dispatchEvent('tap');
    await vi.waitFor(() => expect(fake.calls).toHaveLength(3));
    expect(feature(page, 'scope.record').state).toBe('已拒绝');

    // The user switches 麦克风 on in WeChat's settings page and comes back.
    page.querySelector('#open-setting')!.dispatchEvent('opensetting', {
      detail: { authSetting: { 'scope.record': true, 'scope.userInfo': true }, errMsg: 'openSetting:ok' },
    });

    await vi.waitFor(() => expect(feature(page, 'scope.record').state).toBe('已允许'));
    expect(feature(page, 'scope.record').explanation).toBe('');
    expect(feature(page, 'scope.record').result).toBe('');
    expect(page.data.showSettingsButton).toBe(false);
    expect(page.querySelector('#open-setting')).toBeFalsy();
  });

  it('classifies failures the way WeChat words them on each platform', () => {
    expect(failReason('authorize:fail auth deny')).toBe('denied');
    expect(failReason('authorize:fail auth denied')).toBe('denied');
    expect(failReason('getLocation:fail privacy permission is not authorized')).toBe('privacy');
    expect(failReason('getLocation:fail the api need to be declared in the requiredPrivateInfos field in app.json/ext.json')).toBe(
      'notDeclared',
    );
    expect(pickScopes({ 'scope.record': false, 'scope.userInfo': true, 'scope.camera': true })).toEqual({
      'scope.record': false,
      'scope.camera': true,
    });
  });
});
