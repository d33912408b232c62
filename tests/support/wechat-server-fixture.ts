/**
 * The WeChat server the world's unit tests talk to: the app under test, a
 * second app (for "another app's code / openid / template" cases) and one
 * user, on a virtual clock. Each test file picks its own seed.
 */
import { VirtualClock } from '../../src/world/support/clock.ts';
import { seededRandom } from '../../src/world/support/random.ts';
import { WeChatServer } from '../../src/world/wechat/wechat-server.ts';

export const APP = { appid: 'wxapp0000000000001', secret: 'secret-1', name: 'Test' };
export const OTHER = { appid: 'wxother00000000002', secret: 'secret-2', name: 'Other' };

export function weChatWithTwoApps(seed: number) {
  const clock = new VirtualClock();
  const wechat = new WeChatServer({ clock, random: seededRandom(seed) });
  wechat.registerApp(APP);
  wechat.registerApp(OTHER);
  wechat.registerUser({ id: 'u1', nickname: 'A', phoneNumber: '13800000000', countryCode: '86' });
  return { clock, wechat };
}
