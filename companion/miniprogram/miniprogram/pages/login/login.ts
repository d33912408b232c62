import { bindHost, unbindHost } from '../../lib/bind';
import { adoptStoredSession, loginView } from '../../lib/login-host';

/** The app's login host: the login state outlives this page, so the page only watches it. */
const login = () => getApp<IAppOption>().globalData.login;

Component({
  data: {},
  methods: {
    onLoad() {
      adoptStoredSession(login());
      bindHost(this, login(), loginView);
    },
    onUnload() {
      unbindHost(this);
    },
    onTapLogin() {
      login().send({ type: 'user.tappedLogin' });
    },
    onTapProfile() {
      login().send({ type: 'user.openedProfile' });
    },
  },
});
