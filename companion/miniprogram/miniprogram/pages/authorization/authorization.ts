import { createAuthorizationHost, authorizationView, type AuthorizationHost } from '../../lib/authorization-host';
import { bindHost, unbindHost } from '../../lib/bind';
import { FLOW_SCOPES, type FlowScope } from '../../lib/flows';

/** Authorization state belongs to this page's visit: created on load, stopped on unload. */
const hosts = new WeakMap<object, AuthorizationHost>();

const isFlowScope = (value: unknown): value is FlowScope => (FLOW_SCOPES as readonly unknown[]).includes(value);

Component({
  data: {},
  methods: {
    onLoad() {
      const host = createAuthorizationHost();
      hosts.set(this, host);
      bindHost(this, host, authorizationView);
    },
    onUnload() {
      unbindHost(this);
      hosts.get(this)?.stop();
      hosts.delete(this);
    },
    onTapFeature(event: WechatMiniprogram.BaseEvent) {
      const scope: unknown = event.currentTarget.dataset.scope;
      if (isFlowScope(scope)) hosts.get(this)?.send({ type: 'user.tappedFeature', scope });
    },
    onOpenSetting(event: WechatMiniprogram.CustomEvent<{ authSetting: Record<string, boolean | undefined> }>) {
      hosts.get(this)?.openSettingReturned(event.detail.authSetting ?? {});
    },
  },
});
