// 手机号一章的服务器沿用登录一章的会话存储（只为类型检查存在，不在页面上展示）。
export type { SessionRecord, SessionStore } from '../../login/server/store';
