/**
 * A fake WeChat for pages that only read how they were entered: the enter
 * options, the base library version, and the App-show listeners that WeChat
 * calls when the mini program comes back to the foreground. The test plays
 * the user: `enter(scene)` is a hot start through one entrance.
 */
type EnterOptions = { scene: number; path: string; query: Record<string, string>; referrerInfo: { appId?: string } };
type Listener = (options: EnterOptions) => void;

export interface SceneWeChatOptions {
  scene: number;
  referrerAppId?: string;
  sdkVersion: string;
  /** False for a base library older than 2.20.1, which has no wx.getAppBaseInfo. */
  hasAppBaseInfo?: boolean;
}

export function createSceneWeChat({ scene, referrerAppId, sdkVersion, hasAppBaseInfo = true }: SceneWeChatOptions) {
  const options = (next: number, appId?: string): EnterOptions => ({
    scene: next,
    path: 'pages/launch-app/launch-app',
    query: {},
    referrerInfo: appId ? { appId } : {},
  });
  const launch = options(scene, referrerAppId);
  let current = launch;
  const listeners: Listener[] = [];
  const wx = {
    canIUse: (name: string) => name !== 'getAppBaseInfo' || hasAppBaseInfo,
    getAppBaseInfo: () => {
      if (!hasAppBaseInfo) throw new TypeError('wx.getAppBaseInfo is not a function');
      return { SDKVersion: sdkVersion };
    },
    getSystemInfoSync: () => ({ SDKVersion: sdkVersion }),
    getLaunchOptionsSync: () => structuredClone(launch),
    getEnterOptionsSync: () => structuredClone(current),
    onAppShow: (listener: Listener) => void listeners.push(listener),
    offAppShow: (listener: Listener) => {
      const index = listeners.indexOf(listener);
      if (index >= 0) listeners.splice(index, 1);
    },
  };
  return {
    wx,
    listeners,
    /** The mini program comes back to the foreground through `next`. */
    enter(next: number, appId?: string) {
      current = options(next, appId);
      for (const listener of [...listeners]) listener(structuredClone(current));
    },
  };
}
