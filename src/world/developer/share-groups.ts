/**
 * `POST /api/share/group` as platform-free logic: the mini program of a user
 * who opened a card from a group sends what wx.getGroupEnterInfo (or the
 * older wx.getShareInfo) returned; the server decrypts it with *that user's*
 * session_key, stored at login, checks watermark.appid, and records that the
 * user belongs to the group. The site's 转发 simulator and the companion
 * server run this same code.
 *
 * Decryption is the phone chapter's code path (support/crypto.ts), keys come
 * from the developer server's session store, and the caller is authenticated
 * by its login token. https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/signature.html
 */
import * as v from 'valibot';
import type { ApiErrorBody, HttpResponse } from '../support/http.ts';
import { apiError } from '../support/http.ts';
import { decryptWeChatData, WeChatCryptoError } from '../support/crypto.ts';
import { decryptFailure, phoneDecryptBodySchema, type DecryptSubject, type DeveloperServer, type SessionStore } from './developer-server.ts';

/** The same two fields the old phone button hands over: `{ encryptedData, iv }`, nothing else. */
export const groupInfoBodySchema = phoneDecryptBodySchema;

/** Who the server has seen in which group: the basis of a group leaderboard. */
export interface GroupMembershipStore {
  add(opengid: string, openid: string): Promise<void>;
  members(opengid: string): Promise<string[]>;
}

export function createMemoryGroupStore(): GroupMembershipStore {
  const groups = new Map<string, Set<string>>();
  return {
    async add(opengid, openid) {
      const members = groups.get(opengid) ?? new Set<string>();
      members.add(openid);
      groups.set(opengid, members);
    },
    async members(opengid) {
      return [...(groups.get(opengid) ?? [])];
    },
  };
}

/** The phone route's statuses and wording; the retry is to open the card again. */
const GROUP_INFO: DecryptSubject = { name: '群信息', retry: '再从群里的卡片进入' };

export interface GroupInfoBody {
  opengid: string;
  /** How many users the server has seen open a card from this group, the caller included. */
  members: number;
}


/** Reads the group id whichever API produced it: `opengid` (getGroupEnterInfo) or `openGId` (getShareInfo). */
function pickOpengid(data: Record<string, unknown>): string | null {
  const id = data.opengid ?? data.openGId;
  return typeof id === 'string' && id.length > 0 ? id : null;
}

export function createShareGroupService(options: {
  developer: Pick<DeveloperServer, 'authenticate'>;
  sessions: SessionStore;
  groups: GroupMembershipStore;
  appid: string;
}) {
  const { developer, sessions, groups, appid } = options;

  // #region decrypt-group
  async function decryptGroup(authorization: string | undefined, body: unknown): Promise<HttpResponse<GroupInfoBody | ApiErrorBody>> {
    const auth = await developer.authenticate(authorization);
    if (!auth.ok) return auth.response;
    const parsed = v.safeParse(groupInfoBodySchema, body);
    if (!parsed.success) {
      return apiError(400, 'BAD_REQUEST', '请求体必须是 { "encryptedData": string, "iv": string }，且不能有其他字段');
    }
    // The key of the user who opened the card, never the sharer's: WeChat encrypted it for this user.
    const session = await sessions.get(auth.openid);
    if (!session) return apiError(401, 'SESSION_UNKNOWN', '服务器没有这个会话，请重新登录');
    let data: Record<string, unknown>;
    try {
      data = await decryptWeChatData({ appId: appid, sessionKey: session.sessionKey, ...parsed.output });
    } catch (error) {
      if (error instanceof WeChatCryptoError) return decryptFailure(error, GROUP_INFO);
      throw error;
    }
    const opengid = pickOpengid(data);
    if (!opengid) return apiError(400, 'NOT_GROUP_INFO', '解密结果里没有 opengid：这不是群信息');
    await groups.add(opengid, auth.openid);
    return { status: 200, body: { opengid, members: (await groups.members(opengid)).length } };
  }
  // #endregion

  return { decryptGroup };
}

export type ShareGroupService = ReturnType<typeof createShareGroupService>;
