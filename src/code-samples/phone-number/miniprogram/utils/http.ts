// 手机号一章的小程序沿用登录一章的请求封装（只为类型检查存在，不在页面上展示）。
export * from '../../../login/miniprogram/utils/http';
