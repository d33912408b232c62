/**
 * 打开 App, in the simulated world: the WeChat client's hidden "can launch
 * App" flag (a return ticket), recomputed on every entry of the mini
 * program, and the Open Platform's rules for an App launching a mini program
 * (how the reader gets scene 1069 in the first place).
 *
 * The scene rule itself is the companion mini program's
 * `utils/launch-app-rule.ts`, imported from there: the page that runs in
 * WeChat and the simulator predict the ticket from one table. That file has
 * no imports, so it compiles the same as the mini program's CommonJS and as
 * the site's ES modules.
 */
import { ERAS, INVALID_SCENE, SCENE_FROM_APP, ticketChange, type LaunchAppEra, type TicketChange } from '../../../companion/miniprogram/miniprogram/utils/launch-app-rule.ts';

export {
  compareVersions,
  ERAS,
  gateOf,
  INVALID_SCENE,
  LAUNCH_APP_DOC,
  SCENE_FROM_APP,
  SCENE_NAMES,
  ticketChange,
  type LaunchAppEra,
  type SceneGate,
  type TicketChange,
} from '../../../companion/miniprogram/miniprogram/utils/launch-app-rule.ts';

/** The Open Platform's page on an App launching a mini program: account rules and the 100-a-day limit. */
export const LAUNCH_MINI_PROGRAM_DOC = 'https://developers.weixin.qq.com/doc/oplatform/Mobile_App/Launching_a_Mini_Program/Launching_a_Mini_Program.html';

/** An App not yet in any store may launch mini programs at most this many times a day (Open Platform rule). */
export const UNLISTED_APP_DAILY_LIMIT = 100;

/** `miniprogramType` of `WXLaunchMiniProgram.Req`. */
export const MINIPROGRAM_TYPES = { 0: '正式版', 1: '开发版', 2: '体验版' } as const;

/** The base-library versions the reader can pick: both sides of each gate in the current rules. */
export const SDK_PRESETS = ['2.2.3', '2.2.4', '2.17.2', '2.17.3'] as const;

/** The scenes that enter a running or closed mini program from inside WeChat (1069 only comes from the App). */
export const ENTRANCES = [1089, 1090, 1001, 1131, 1187, 1038, 1037, 1011, 1014, 1036] as const;

/** The other mini program a reader may detour through (1037 in, 1038 back). */
export const OTHER_MINI_PROGRAM_APPID = 'wx0other0mini0prog';

export interface NativeApp {
  appId: string;
  name: string;
  /** Whether the App's Open Platform account is certified (开发者资质认证). */
  certified: boolean;
  openPlatformId: string;
  /** The 原始ID (gh_…) the App puts in `userName`. */
  userName: string;
  inStore: boolean;
}

export interface MiniProgramAccount {
  appid: string;
  /** 原始ID. */
  userName: string;
  openPlatformId: string;
}

export type LaunchRefusal = 'wrongUserName' | 'otherAccount';

/**
 * Whether WeChat lets this App open this mini program. A certified Open
 * Platform account may open any valid mini program; an uncertified one only
 * those under the same Open Platform account; `userName` must be the 原始ID.
 * (LAUNCH_MINI_PROGRAM_DOC; the uncertified rule is in the page's .html
 * version only, the newer version with the HarmonyOS sample drops it without
 * saying what replaced it.) The error the App then sees is not documented,
 * so the world reports only the reason.
 */
export function checkAppLaunch(app: NativeApp, target: MiniProgramAccount): { ok: true } | { ok: false; reason: LaunchRefusal } {
  if (app.userName !== target.userName) return { ok: false, reason: 'wrongUserName' };
  if (!app.certified && app.openPlatformId !== target.openPlatformId) return { ok: false, reason: 'otherAccount' };
  return { ok: true };
}

/** What `wx.getEnterOptionsSync()` gives the mini program after one entry. */
export interface EnterOptions {
  scene: number;
  referrerInfo: { appId?: string };
}

/** Who the mini program came from, as referrerInfo reports it: the App for 1069/1036, the other mini program for 1037/1038. */
export function referrerOf(scene: number, app: NativeApp): EnterOptions['referrerInfo'] {
  if (scene === SCENE_FROM_APP || scene === 1036) return { appId: app.appId };
  if (scene === 1037 || scene === 1038) return { appId: OTHER_MINI_PROGRAM_APPID };
  return {};
}

export interface EntryRecord {
  scene: number;
  cold: boolean;
  change: TicketChange;
  ticket: boolean;
}

export type TapResult = { ok: true; appId: string; extMsg: string } | { ok: false; errMsg: string };

/**
 * The WeChat client's side of one mini program on one phone: whether it is
 * running, the flag, and the App a granted flag returns to.
 */
export class LaunchAppState {
  running = false;
  ticket = false;
  /** The App that granted the ticket: the only one the button can open. */
  returnTo: string | null = null;
  enter: EnterOptions | null = null;
  launch: EnterOptions | null = null;
  readonly history: EntryRecord[] = [];

  constructor(
    public sdkVersion: string,
    public era: LaunchAppEra,
  ) {}

  /** One entry: a cold start when the mini program is not running, a hot one otherwise. The flag is recomputed either way. */
  enterWith(scene: number, app: NativeApp): EntryRecord {
    const cold = !this.running;
    if (cold) {
      this.ticket = false;
      this.returnTo = null;
    }
    const change = ticketChange(scene, this.sdkVersion, this.era);
    if (change === 'grant') {
      this.ticket = true;
      this.returnTo = app.appId;
    } else if (change === 'clear') {
      this.ticket = false;
      this.returnTo = null;
    }
    this.running = true;
    this.enter = { scene, referrerInfo: referrerOf(scene, app) };
    if (cold) this.launch = this.enter;
    const record = { scene, cold, change, ticket: this.ticket };
    this.history.push(record);
    return record;
  }

  /** The user taps `<button open-type="launchApp">`: back to the App that granted the ticket, or `invalid scene`. */
  tap(appParameter: string): TapResult {
    if (!this.running || !this.ticket || this.returnTo === null) return { ok: false, errMsg: INVALID_SCENE };
    return { ok: true, appId: this.returnTo, extMsg: appParameter };
  }

  /** The user removes the mini program from the background (or WeChat reclaims it): the next entry is a cold start. */
  close(): void {
    this.running = false;
    this.ticket = false;
    this.returnTo = null;
    this.enter = null;
    this.launch = null;
  }

  /** Where the App reads `app-parameter` in this era's documentation. */
  appCallback(): 'onResp' | 'onReq' {
    return ERAS[this.era].appCallback;
  }
}
