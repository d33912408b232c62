/// <reference types="miniprogram-api-typings" />

interface IAppOption {
  globalData: {
    login: import('../miniprogram/lib/login-host').LoginHost;
  };
}
