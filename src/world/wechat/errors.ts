/**
 * WeChat server error codes the simulated world can return, with the wording
 * WeChat uses in `errmsg` and a Chinese explanation for readers. Sources are
 * listed in ../shared/reference/wechat-facts.md; 40163 is observed in
 * practice but missing from the official code2Session table.
 */
export interface WeChatErrorInfo {
  errmsg: string;
  meaning: string;
}

export const WECHAT_ERRORS = {
  [-1]: { errmsg: 'system error', meaning: '系统繁忙，请稍候再试' },
  40001: {
    errmsg: 'invalid credential, access_token is invalid or not latest',
    meaning: 'access_token 无效或不是最新的（或获取 access_token 时 AppSecret 错误）',
  },
  40002: { errmsg: 'invalid grant_type', meaning: 'grant_type 取值不正确' },
  40013: { errmsg: 'invalid appid', meaning: '不合法的 AppID' },
  40029: { errmsg: 'invalid code', meaning: 'code 无效：已过期（超过 5 分钟）、已被使用，或不属于这个 AppID' },
  40125: { errmsg: 'invalid appsecret', meaning: '无效的 AppSecret' },
  40163: { errmsg: 'code been used', meaning: 'code 已被使用过（官方 code2Session 错误码表未列出，实际会返回）' },
  40226: { errmsg: 'code blocked', meaning: '高风险等级用户，小程序登录拦截' },
  42001: { errmsg: 'access_token expired', meaning: 'access_token 已过期' },
  45011: {
    errmsg: 'api minute-quota reach limit mustslower retry next minute',
    meaning: 'API 调用太频繁，请稍候再试（旧版 code2Session 错误码表写的是每个用户每分钟 100 次）',
  },
} as const satisfies Record<number, WeChatErrorInfo>;

export type WeChatErrcode = keyof typeof WECHAT_ERRORS;

export interface WeChatErrorBody {
  errcode: number;
  errmsg: string;
}

export function wechatError(errcode: WeChatErrcode): WeChatErrorBody {
  return { errcode, errmsg: WECHAT_ERRORS[errcode].errmsg };
}

/** A success response may omit `errcode` entirely, so only a present, non-zero one is an error. */
export function isWeChatError(body: unknown): body is WeChatErrorBody {
  if (typeof body !== 'object' || body === null || !('errcode' in body)) return false;
  const { errcode } = body as { errcode: unknown };
  return typeof errcode === 'number' && errcode !== 0;
}

export function describeErrcode(errcode: number): string {
  const info = (WECHAT_ERRORS as Record<number, WeChatErrorInfo | undefined>)[errcode];
  return info ? info.meaning : `未知错误码 ${errcode}`;
}
