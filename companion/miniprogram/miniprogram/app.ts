import { createLoginHost, launchLogin } from './lib/login-host';

App<IAppOption>({
  globalData: {
    login: createLoginHost(),
  },
  onLaunch() {
    launchLogin(this.globalData.login);
  },
});
