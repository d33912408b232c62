import { bindHost, unbindHost } from '../../lib/bind';
import { createPhoneHost, phoneView, type PhoneButtonDetail, type PhoneHost } from '../../lib/phone-host';

const hosts = new WeakMap<object, PhoneHost>();

Component({
  data: {},
  methods: {
    onLoad() {
      const host = createPhoneHost();
      hosts.set(this, host);
      bindHost(this, host, phoneView);
    },
    onUnload() {
      unbindHost(this);
      hosts.get(this)?.stop();
      hosts.delete(this);
    },
    onChooseNew() {
      hosts.get(this)?.send({ type: 'user.choseNewFlow' });
    },
    onChooseOld() {
      hosts.get(this)?.send({ type: 'user.choseOldFlow' });
    },
    onTapLogin() {
      hosts.get(this)?.send({ type: 'user.tappedLogin' });
    },
    onGetPhoneNumber(event: WechatMiniprogram.CustomEvent<PhoneButtonDetail>) {
      hosts.get(this)?.phoneButtonEvent(event.detail);
    },
  },
});
