/**
 * 公众平台「订阅消息 → 我的模板」里选用的一次性模板。id 换成你自己账号里的；
 * 离线时，微信接口模拟服务用 POST /__dev/subscribe-templates（{ id, title, keywords }）以同样的 id 和关键词创建它们。
 * 关键词是 data 的键：类型 + 编号，取值规则见 subscribeMessage.send 的「参数值内容限制」。
 */
export const TABLE_READY = {
  id: 'queue-table-ready-demo',
  title: '排队叫号提醒',
  // thing：20 个字符以内；character_string：32 位以内数字字母符号；phrase：5 个以内汉字
  keywords: ['thing1', 'character_string2', 'phrase3', 'thing4'],
} as const;

export const MISSED_TURN = {
  id: 'queue-missed-turn-demo',
  title: '过号提醒',
  keywords: ['thing1', 'character_string2'],
} as const;

/** 一次最多请求 5 个（旧版文档写的是 3 个）；这里只要两个：叫号和过号，都和排队直接相关。 */
export const QUEUE_TEMPLATE_IDS = [TABLE_READY.id, MISSED_TURN.id];
