import { describe, expect, it } from 'vitest';
import { createAccessTokenProvider, withAccessToken } from '../../src/world/developer/access-token.ts';
import { createWeChatApi } from '../server/src/wechat-api.ts';
import { APPID, SECRET, useEmulator } from './helpers.ts';

describe('access_token provider against the emulator', () => {
  const emulator = useEmulator({ dora: { phoneNumber: '13912345678' } });
  it('fetches stable_token once for 100 callers, and recovers once from a token revoked by a forced refresh', async () => {
    const api = createWeChatApi({ baseUrl: emulator.url, appid: APPID, secret: SECRET, timeoutMs: 2000 });
    let fetches = 0;
    const tokens = createAccessTokenProvider({
      fetchToken: () => {
        fetches += 1;
        return api.stableToken();
      },
      now: Date.now,
    });
    const first = await Promise.all(Array.from({ length: 100 }, () => tokens.get()));
    expect(new Set(first).size).toBe(1);
    expect(fetches).toBe(1);

    // Someone else force-refreshes (e.g. after a leak): our cached token is revoked on WeChat's side.
    const forced = await fetch(`${emulator.url}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: APPID, secret: SECRET, force_refresh: true }),
    }).then((r) => r.json());
    expect(forced.access_token).not.toBe(first[0]);

    const phoneCode = await fetch(`${emulator.url}/__dev/phone-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'dora' }),
    }).then((r) => r.json());
    const tried: string[] = [];
    const result = await withAccessToken(tokens, (token) => {
      tried.push(token);
      return api.getUserPhoneNumber(phoneCode.code, token);
    });
    expect(result).toMatchObject({ errcode: 0, phone_info: { purePhoneNumber: '13912345678', watermark: { appid: APPID } } });
    expect(tried).toEqual([first[0], forced.access_token]);
    expect(fetches).toBe(2);
  });
});
