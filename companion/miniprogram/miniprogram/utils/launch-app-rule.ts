/**
 * 「打开 App」的能力规则：小程序每次进入前台（冷启动或从后台切回），微信按这次的场景值决定
 * 能不能跳回 App——给出能力（grant）、保持上一次的状态（keep），或者收走（clear）。
 * https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/launchApp.html
 *
 * 规则只有这一份：小程序页面用它预测按钮能不能用，站点的模拟器（src/world/wechat/launch-app.ts）也直接
 * import 它。所以这个文件不能有任何 import，也只能用小程序和浏览器都有的语法。
 */

/** 文档的三个时期。读到旧帖子时，对照它写的是哪一版规则。 */
export type LaunchAppEra = 'current' | 'legacy' | 'earliest';

export type TicketChange = 'grant' | 'keep' | 'clear';

/** 一条场景规则；since 是需要的最低基础库版本，低于它时这个场景按“其他场景”处理（收走）。 */
export interface SceneGate {
  scene: number;
  since?: string;
}

export interface EraRules {
  /** 进入时给出能力的场景 */
  grants: readonly SceneGate[];
  /** 进入时保持上一次状态的场景 */
  keeps: readonly SceneGate[];
  /** App 在 OpenSDK 的哪个回调里读 app-parameter */
  appCallback: 'onResp' | 'onReq';
  /** 这一版规则的出处 */
  source: string;
}

/** 场景值 1069：App 通过 OpenSDK 拉起小程序。当前规则里唯一给出能力的场景。 */
export const SCENE_FROM_APP = 1069;

/** 本页和模拟器列出的场景，名称是按官方场景值列表缩写的，原文见 https://developers.weixin.qq.com/miniprogram/dev/reference/scene-list.html */
export const SCENE_NAMES: Readonly<Record<number, string>> = {
  1001: '发现栏「最近使用」',
  1011: '扫描二维码',
  1014: '服务通知（订阅消息）',
  1036: 'App 分享消息卡片',
  1037: '从另一个小程序打开',
  1038: '从另一个小程序返回',
  1069: '移动应用（App 拉起）',
  1089: '聊天顶部「最近使用」',
  1090: '长按右上角菜单唤出的「最近使用」',
  1131: '浮窗',
  1187: '浮窗',
};

/** 跳回失败时 binderror 的 e.detail.errMsg：此时小程序不具备打开 App 的能力。 */
export const INVALID_SCENE = 'invalid scene';

export const LAUNCH_APP_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/launchApp.html';

export const ERAS: Record<LaunchAppEra, EraRules> = {
  // 当前官方文档：只有 1069 给出能力；1001、1131、1187 从 2.17.3 起也保持状态
  current: {
    grants: [{ scene: 1069 }],
    keeps: [
      { scene: 1038, since: '2.2.4' },
      { scene: 1089 },
      { scene: 1090 },
      { scene: 1001, since: '2.17.3' },
      { scene: 1131, since: '2.17.3' },
      { scene: 1187, since: '2.17.3' },
    ],
    appCallback: 'onResp',
    source: LAUNCH_APP_DOC,
  },
  // 较早的文档（第三方转载）：App 分享消息卡片 1036 也给出能力
  legacy: {
    grants: [{ scene: 1036 }, { scene: 1069 }],
    keeps: [{ scene: 1038, since: '2.2.4' }, { scene: 1089 }, { scene: 1090 }],
    appCallback: 'onResp',
    source: 'https://blog.51cto.com/u_16099255/8861145',
  },
  // 最早的 launchApp 文档：只有 1036 给出能力，App 在 onReq 里读参数
  earliest: {
    grants: [{ scene: 1036 }],
    keeps: [{ scene: 1089 }, { scene: 1090 }],
    appCallback: 'onReq',
    source: 'https://developers.weixin.qq.com/community/develop/doc/0004c2e3b104984d103b589515bc00',
  },
};

/**
 * 比较两个基础库版本号（'2.17.3' 这样的点分数字）。写错的段按 0 算，
 * 所以一个读不懂的版本号只会让带版本门槛的场景失效，不会抛错。
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => String(v).split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : 0));
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff > 0 ? 1 : -1;
  }
  return 0;
}

function listed(gates: readonly SceneGate[], scene: number, sdkVersion: string): boolean {
  return gates.some((gate) => gate.scene === scene && (gate.since === undefined || compareVersions(sdkVersion, gate.since) >= 0));
}

// #region ticket-change
/** 这次进入对能力的影响：按场景值和基础库版本查表，不在表里的场景一律收走。 */
export function ticketChange(scene: number, sdkVersion: string, era: LaunchAppEra = 'current'): TicketChange {
  const rules = ERAS[era] ?? ERAS.current;
  if (listed(rules.grants, scene, sdkVersion)) return 'grant';
  if (listed(rules.keeps, scene, sdkVersion)) return 'keep';
  return 'clear';
}
// #endregion

/** 某个场景在这一版规则里的版本门槛（没有门槛时为 undefined），给页面和模拟器写说明用。 */
export function gateOf(scene: number, era: LaunchAppEra = 'current'): SceneGate | undefined {
  const rules = ERAS[era] ?? ERAS.current;
  return [...rules.grants, ...rules.keeps].find((gate) => gate.scene === scene);
}
