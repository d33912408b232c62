/**
 * Versions of the base library and of the WeChat client, compared the way
 * `wx.getSystemInfoSync().SDKVersion` checks are written in the official
 * docs: numerically, part by part. Every rule gated "since x.y.z" uses this
 * one comparison. It is the mini program's own (the launch-app page needs it
 * inside WeChat), imported from the companion so there is one copy.
 */
import { compareVersions } from '../../../companion/miniprogram/miniprogram/utils/launch-app-rule.ts';

export { compareVersions };

/** True when `version` is `since` or later: `atLeast('2.20.2', '2.20.2')`. */
export const atLeast = (version: string, since: string): boolean => compareVersions(version, since) >= 0;
