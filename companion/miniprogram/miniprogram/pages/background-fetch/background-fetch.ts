// 周期性更新 vs 数据预拉取：把微信缓存的两份数据并排摆出来，各自是什么、谁拉的、多久以前。
// 读取和监听在 App.onLaunch 里（utils/background-fetch.ts），页面只订阅结果。
import { ageText, watchSlots, type FetchedSlot, type FetchType, type Slots } from '../../utils/background-fetch';

interface SlotView {
  fetchType: FetchType;
  title: string;
  empty: boolean;
  fetchedData: string;
  rawTimeStamp: number;
  age: string;
  via: string;
  entry: string;
}

const TITLES: Record<FetchType, string> = {
  periodic: '周期性更新（微信客户端每 12 小时拉一次）',
  pre: '数据预拉取（冷启动时微信服务器拉）',
};

function toView(fetchType: FetchType, slot: FetchedSlot | null, now: number): SlotView {
  return {
    fetchType,
    title: TITLES[fetchType],
    empty: slot === null,
    fetchedData: slot?.fetchedData ?? '',
    rawTimeStamp: slot?.rawTimeStamp ?? 0,
    age: slot ? ageText(now, slot.timeStamp) : '',
    via: slot?.via ?? '',
    entry: slot && slot.fetchType === 'pre' ? `${slot.path}${slot.query ? `?${slot.query}` : ''}（场景值 ${slot.scene}）` : '',
  };
}

let unwatch: (() => void) | null = null;

Page({
  data: {
    slots: [] as SlotView[],
    query: '',
  },

  // #region show-slots
  onLoad(query: Record<string, string | undefined>) {
    this.setData({ query: query.item ? `item=${query.item}` : '' });
    // 缓存只让页面先有东西可看：拿到的可能是 12 小时前的，也可能是上一次打开时的
    unwatch = watchSlots((slots: Slots) => {
      const now = Date.now();
      this.setData({ slots: [toView('pre', slots.pre, now), toView('periodic', slots.periodic, now)] });
    });
  },

  onUnload() {
    unwatch?.();
    unwatch = null;
  },
  // #endregion
});
