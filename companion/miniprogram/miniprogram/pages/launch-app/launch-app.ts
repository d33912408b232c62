// 打开 App：显示这次进入的场景值，用和站点模拟器同一份规则预测按钮能不能跳回 App，并记下 binderror。
// 规则本身在 utils/launch-app-rule.ts；真正决定的是微信，这里的预测只用来对照。
import { sdkVersion } from '../../utils/base-library';
import { INVALID_SCENE, SCENE_NAMES, gateOf, ticketChange, type TicketChange } from '../../utils/launch-app-rule';

/** 按钮带给 App 的参数：App 在 OpenSDK 的 onResp 里以 extMsg 读到它 */
const APP_PARAMETER = 'lesson=42';

/** 预测：能跳回、不能、或取决于本页打开之前的那次进入（那次的记录小程序拿不到） */
type Prediction = 'yes' | 'no' | 'unknown';

const PREDICTION_TEXT: Record<Prediction, string> = {
  yes: '能跳回拉起小程序的 App',
  no: `不能：点按钮只会触发 binderror（errMsg 为 ${INVALID_SCENE}）`,
  unknown: '无法预测：这次进入保持上一次的状态，而本页打开之前的那次进入看不到',
};

interface LaunchError {
  errMsg: string;
  scene: number;
  hint: string;
}

type EnterInfo = { scene: number; referrerInfo?: { appId?: string } };

/** onAppShow 的监听函数，离开页面时注销 */
let appShowListener: WechatMiniprogram.OnAppShowCallback | null = null;

function reasonOf(scene: number, change: TicketChange, version: string): string {
  if (change === 'grant') return `${scene} 发放打开 App 的能力`;
  if (change === 'keep') return `${scene} 保持上一次的状态`;
  const since = gateOf(scene)?.since;
  if (since) return `${scene} 要基础库 ${since} 起才保持状态，当前是 ${version}，能力被收走`;
  return `${scene} 不在保持名单里，能力被收走`;
}

Page({
  data: {
    scene: 0,
    sceneName: '',
    referrerAppId: '',
    sdkVersion: '',
    prediction: 'unknown' as Prediction,
    predictionText: PREDICTION_TEXT.unknown,
    reason: '',
    appParameter: APP_PARAMETER,
    errors: [] as LaunchError[],
  },

  // #region enter-options
  onLoad() {
    // 这一次进入的参数；冷启动时和 getLaunchOptionsSync() 相同，热启动后会变
    this.applyEntry(wx.getEnterOptionsSync());
    // 之后每次从后台切回前台，微信都会按新的场景值重算能力
    appShowListener = (options) => this.applyEntry(options);
    wx.onAppShow(appShowListener);
  },

  onUnload() {
    // 必须传同一个函数对象；typings 给 offAppShow 的参数类型写得不同，所以这里转换一下
    if (appShowListener) wx.offAppShow(appShowListener as unknown as WechatMiniprogram.OffAppShowCallback);
    appShowListener = null;
  },
  // #endregion

  // #region track-entries
  applyEntry({ scene, referrerInfo }: EnterInfo) {
    const version = sdkVersion();
    const change = ticketChange(scene, version);
    // 保持类场景沿用上一次的预测；页面刚打开时没有“上一次”
    const before: Prediction = appShowListener ? this.data.prediction : 'unknown';
    const prediction: Prediction = change === 'grant' ? 'yes' : change === 'clear' ? 'no' : before;
    this.setData({
      scene,
      sceneName: SCENE_NAMES[scene] ?? '',
      // 1069、1036 是来源 App 的 appId；部分版本没有 referrerInfo 时是 undefined
      referrerAppId: referrerInfo?.appId ?? '',
      sdkVersion: version,
      prediction,
      predictionText: PREDICTION_TEXT[prediction],
      reason: reasonOf(scene, change, version),
    });
  },
  // #endregion

  // #region launch-app-error
  onLaunchAppError(e: WechatMiniprogram.CustomEvent<{ errMsg: string }>) {
    const { errMsg } = e.detail;
    console.error('launchApp 失败：', errMsg, '场景值', this.data.scene);
    const hint =
      errMsg === INVALID_SCENE
        ? '这次进入没有打开 App 的能力：请用户回到 App 再从 App 打开小程序'
        : '不是文档列出的错误；记下场景值和基础库版本再排查';
    // 最近的在前，只留 5 条
    this.setData({ errors: [{ errMsg, scene: this.data.scene, hint }, ...this.data.errors].slice(0, 5) });
  },
  // #endregion
});
