// @vitest-environment node
/**
 * The chapters' code panels show regions of the companion's own files. This
 * is the map from each region the simulators and chapters used in
 * src/code-samples to the companion file that really does that step; every
 * target must exist and parse with the site's region extractor.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractRegions } from '../../../src/lib/regions.ts';

const companion = fileURLToPath(new URL('../../', import.meta.url));
const MP = 'miniprogram/miniprogram';

/** old `src/code-samples/<file>#<region>` → new `companion/<file>#<region>`. */
export const REGION_MAP: Record<string, string> = {
  'login/miniprogram/pages/index/index.ts#login-tap': `${MP}/pages/login/login.ts#login-tap`,
  'login/miniprogram/pages/index/index.wxml#login-button': `${MP}/pages/login/login.wxml#login-button`,
  'login/miniprogram/utils/auth.ts#login': `${MP}/utils/auth.ts#login`,
  'login/miniprogram/utils/auth.ts#store-token': `${MP}/utils/auth.ts#store-token`,
  'login/miniprogram/utils/auth.ts#check-session': `${MP}/utils/auth.ts#check-session`,
  'login/miniprogram/utils/request.ts#retry-on-401': `${MP}/utils/request.ts#retry-on-401`,
  'login/miniprogram/app.ts#on-launch': `${MP}/app.ts#on-launch`,
  'login/miniprogram/utils/wrong.ts#direct-call': `${MP}/wrong/login-direct.ts#direct-call`,
  'login/server/routes/auth.ts#route': 'server/src/routes/auth.ts#route',
  'login/server/routes/auth.ts#code2session': 'server/src/wechat-api.ts#code2session',
  'login/server/routes/auth.ts#me': 'server/src/routes/auth.ts#me',
  'authorization/miniprogram/pages/index/index.ts#on-load': `${MP}/pages/authorization/authorization.ts#on-load`,
  'authorization/miniprogram/pages/index/index.ts#privacy': `${MP}/pages/authorization/authorization.ts#privacy`,
  'authorization/miniprogram/pages/index/index.ts#use-feature': `${MP}/pages/authorization/authorization.ts#use-feature`,
  'authorization/miniprogram/pages/index/index.ts#on-open-setting': `${MP}/pages/authorization/authorization.ts#on-open-setting`,
  'authorization/miniprogram/pages/index/index.wxml#features': `${MP}/pages/authorization/authorization.wxml#features`,
  'authorization/miniprogram/pages/index/index.wxml#explain': `${MP}/pages/authorization/authorization.wxml#explain`,
  'authorization/miniprogram/pages/index/index.wxml#privacy-popup': `${MP}/pages/authorization/authorization.wxml#privacy-popup`,
  'authorization/miniprogram/wrong/ask-on-launch.ts#ask-all': `${MP}/wrong/ask-on-launch.ts#ask-all`,
  'authorization/miniprogram/wrong/open-setting-on-show.ts#on-show': `${MP}/wrong/open-setting-on-show.ts#on-show`,
  'phone-number/miniprogram/pages/phone/phone.wxml#buttons': `${MP}/pages/phone/phone.wxml#buttons`,
  'phone-number/miniprogram/pages/phone/phone.ts#login-ahead': `${MP}/pages/phone/phone.ts#login-ahead`,
  'phone-number/miniprogram/pages/phone/phone.ts#callback': `${MP}/pages/phone/phone.ts#callback`,
  'phone-number/miniprogram/pages/phone/phone.ts#new-callback': `${MP}/pages/phone/phone.ts#new-callback`,
  'phone-number/miniprogram/pages/phone/phone.ts#old-callback': `${MP}/pages/phone/phone.ts#old-callback`,
  'phone-number/miniprogram/pages/phone/wrong.ts#login-in-callback': `${MP}/wrong/phone-login-in-callback.ts#login-in-callback`,
  'phone-number/miniprogram/pages/phone/wrong.ts#query-string': `${MP}/wrong/phone-login-in-callback.ts#query-string`,
  'phone-number/server/routes/phone.ts#decrypt-route': 'server/src/routes/phone.ts#decrypt-route',
  'phone-number/server/routes/phone.ts#code-route': 'server/src/routes/phone.ts#code-route',
  'phone-number/server/access-token.ts#stable-token': 'server/src/wechat-api.ts#stable-token',
};

describe('regions the chapters show, in the companion files that run', () => {
  it.each(Object.entries(REGION_MAP))('%s → companion/%s', (_old, target) => {
    const [file, region] = target.split('#') as [string, string];
    const { code, regions } = extractRegions(readFileSync(`${companion}${file}`, 'utf8'), file);
    const range = regions[region];
    expect(range, `${file} has no #region ${region}`).toBeDefined();
    const [start, end] = range!;
    expect(end).toBeGreaterThanOrEqual(start);
    // A region shows code, not just comments.
    const lines = code.split('\n').slice(start - 1, end);
    expect(lines.some((line) => !/^\s*(\/\/|<!--|\*|\/\*|$)/.test(line))).toBe(true);
  });
});
