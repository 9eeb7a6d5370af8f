// Every Alipay flow through split mode: this page calls my.* inside the tap (the page
// half does, synchronously) and the Worker's wasm bridge validates and forwards once,
// through this page's my.request.
const { createSplitPage } = require('mp-consent-bridge/miniprogram/split-page');

Page({
  data: { busy: false, result: '', error: '' },

  onLoad() {
    this.bridge = createSplitPage({ host: my, worker: getApp().worker });
  },

  onUnload() {
    this.bridge.dispose();
  },

  // Each handler starts its flow before any await: the host must see the tap.
  track(flow) {
    this.setData({ busy: true, error: '' });
    return flow.then(
      (answer) => this.setData({ busy: false, result: JSON.stringify(answer) }),
      (e) => this.setData({ busy: false, error: e.code }),
    );
  },

  onLogin() {
    return this.track(this.bridge.getAuthCode(['auth_user']));
  },

  onSilentLogin() {
    // Ask first, forward later (e.g. after the page checked something else).
    return this.track(this.bridge.askAuthCode(['auth_base']).then((consent) => this.bridge.forward(consent)));
  },

  onGetAuthorize(event) {
    return this.track(this.bridge.askOpenUserInfoFromEvent(event).then((profile) => this.bridge.forward(profile)));
  },

  onAuthorizeError(event) {
    return this.track(this.bridge.askOpenUserInfoFromEvent(event));
  },

  onProfile() {
    return this.track(this.bridge.getOpenUserInfo());
  },
});
