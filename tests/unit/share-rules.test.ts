/**
 * WeChat's share rules (world/wechat/share.ts), table by table, and the
 * group registry with real AES: one opengid per group and mini program,
 * sealed for each opener under that opener's own session_key.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/world/support/clock.ts';
import { decryptWeChatData } from '../../src/world/support/crypto.ts';
import { seededRandom } from '../../src/world/support/random.ts';
import {
  cardEntry,
  GROUP_SCENE_ERROR,
  promiseSettlement,
  PROMISE_TIMEOUT_MS,
  shareAbilities,
  ShareGroups,
  type Conversation,
} from '../../src/world/wechat/share.ts';

describe('cardEntry: scene, shareTicket and chatType of an opened card', () => {
  it.each<[Conversation, boolean, number, boolean, number | null]>([
    ['single', false, 1007, false, 1],
    ['single', true, 1007, false, 1],
    ['group', false, 1008, false, 3],
    ['group', true, 1044, true, 3],
    ['timeline', false, 1154, false, null],
    ['timeline', true, 1154, false, null],
  ])('%s chat, withShareTicket %s → scene %i, ticket %s, chatType %s', (conversation, withShareTicket, scene, ticketed, chatType) => {
    expect(cardEntry(conversation, withShareTicket)).toEqual({ scene, ticketed, chatType });
  });
});

describe('promiseSettlement: WeChat waits three seconds at most', () => {
  it.each<[number | null, number, boolean]>([
    [0, 0, true],
    [1000, 1000, true],
    [2999, 2999, true],
    [3000, PROMISE_TIMEOUT_MS, false],
    [5000, PROMISE_TIMEOUT_MS, false],
    [null, PROMISE_TIMEOUT_MS, false],
    [-5, 0, true],
  ])('resolving after %s ms settles at %i ms, promise used: %s', (resolveAfter, afterMs, usesPromise) => {
    expect(promiseSettlement(resolveAfter)).toEqual({ afterMs, usesPromise });
  });
});

describe('shareAbilities by base library', () => {
  it.each([
    ['2.2.5', { callback: true, promise: false, timeline: false, groupApi: 'getShareInfo' }],
    ['2.3.0', { callback: false, promise: false, timeline: false, groupApi: 'getShareInfo' }],
    ['2.11.3', { callback: false, promise: false, timeline: true, groupApi: 'getShareInfo' }],
    ['2.12.0', { callback: false, promise: true, timeline: true, groupApi: 'getShareInfo' }],
    ['2.17.2', { callback: false, promise: true, timeline: true, groupApi: 'getShareInfo' }],
    ['2.17.3', { callback: false, promise: true, timeline: true, groupApi: 'getGroupEnterInfo' }],
    ['3.7.8', { callback: false, promise: true, timeline: true, groupApi: 'getGroupEnterInfo' }],
  ])('%s', (version, abilities) => {
    expect(shareAbilities(version)).toEqual(abilities);
  });
});

describe('ShareGroups', () => {
  const APPID = 'wxsharetest0000001';
  const OTHER_APP = 'wxsharetest0000002';
  const KEYS: Record<string, string> = { alice: 'MDEyMzQ1Njc4OWFiY2RlZg==', bob: 'ZmVkY2JhOTg3NjU0MzIxMA==' };

  function registry() {
    const groups = new ShareGroups({ clock: new VirtualClock(), random: seededRandom(7), sessionKey: (_appid, userId) => KEYS[userId] });
    groups.addGroup({ id: 'g', name: '读书群', members: ['alice', 'bob', 'carol'] });
    return groups;
  }

  async function opengidOf(groups: ShareGroups, userId: string): Promise<unknown> {
    const info = await groups.groupEnterInfo(APPID, userId);
    if (!info.ok) throw new Error(info.errMsg);
    return (await decryptWeChatData({ appId: APPID, sessionKey: KEYS[userId]!, ...info })).opengid;
  }

  it('gives every member the same opengid, each sealed under the member’s own key, and another app another id', async () => {
    const groups = registry();
    groups.openCard(APPID, 'alice', { conversation: 'group', groupId: 'g', withShareTicket: true });
    groups.openCard(APPID, 'bob', { conversation: 'group', groupId: 'g', withShareTicket: true });
    const alice = await opengidOf(groups, 'alice');
    expect(alice).toMatch(/^tG\w{26}$/);
    expect(await opengidOf(groups, 'bob')).toBe(alice);
    expect(groups.opengid(OTHER_APP, 'g')).not.toBe(alice);

    const sealedForBob = await groups.groupEnterInfo(APPID, 'bob');
    if (!sealedForBob.ok) throw new Error('expected group info');
    await expect(decryptWeChatData({ appId: APPID, sessionKey: KEYS.alice!, ...sealedForBob })).rejects.toThrow();
  });

  it('answers 40097 unless this launch came from a ticketed group card', async () => {
    const groups = registry();
    expect(await groups.groupEnterInfo(APPID, 'alice')).toMatchObject({ ok: false, errCode: GROUP_SCENE_ERROR });
    for (const card of [
      { conversation: 'single' as const, withShareTicket: true },
      { conversation: 'group' as const, groupId: 'g', withShareTicket: false },
      { conversation: 'timeline' as const, withShareTicket: true },
    ]) {
      groups.openCard(APPID, 'alice', card);
      expect(await groups.groupEnterInfo(APPID, 'alice'), JSON.stringify(card)).toMatchObject({ ok: false, errCode: GROUP_SCENE_ERROR });
    }
  });

  it('keeps a shareTicket for the current lifecycle only; getShareInfo wants that very ticket and spells the id openGId', async () => {
    const groups = registry();
    const { shareTicket } = groups.openCard(APPID, 'alice', { conversation: 'group', groupId: 'g', withShareTicket: true });
    expect(shareTicket).toEqual(expect.any(String));
    expect(await groups.shareInfo(APPID, 'alice', 'forged')).toMatchObject({ ok: false });
    const info = await groups.shareInfo(APPID, 'alice', shareTicket!);
    if (!info.ok) throw new Error(info.errMsg);
    expect(await decryptWeChatData({ appId: APPID, sessionKey: KEYS.alice!, ...info })).toMatchObject({ openGId: groups.opengid(APPID, 'g') });

    groups.endLifecycle(APPID, 'alice');
    expect(groups.currentTicket(APPID, 'alice')).toBeNull();
    expect(await groups.shareInfo(APPID, 'alice', shareTicket!)).toMatchObject({ ok: false });
  });

  it('refuses a group card for a non-member, and encrypts nothing for a user without a session', async () => {
    const groups = registry();
    expect(() => groups.openCard(APPID, 'dave', { conversation: 'group', groupId: 'g', withShareTicket: true })).toThrow(/not in group/);
    groups.openCard(APPID, 'carol', { conversation: 'group', groupId: 'g', withShareTicket: true });
    expect(await groups.groupEnterInfo(APPID, 'carol')).toMatchObject({ ok: false });
  });

  it('draws nothing when only looking', () => {
    const groups = registry();
    expect(groups.issuedOpengid(APPID, 'g')).toBeUndefined();
    const id = groups.opengid(APPID, 'g');
    expect(groups.issuedOpengid(APPID, 'g')).toBe(id);
  });
});
