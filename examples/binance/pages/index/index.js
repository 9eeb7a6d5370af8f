// Every Binance consent flow: the phone-number button, bn.getOpenId, bn.getEmailAddress
// and bn.requestSubscribeMessage, each validated and forwarded once through bn.request.
const { ConsentBridge } = require('../../miniprogram_npm/mp-consent-bridge/index.js');
const loadBridge = require('../../wasm-loader.js');

const ready = loadBridge();
const TEMPLATES = ['order-shipped'];

Page({
  data: { ready: false, busy: false, result: '', error: '' },

  onLoad() {
    return ready.then(
      () => {
        this.bridge = new ConsentBridge({ host: bn, backend: getApp().globalData.backend });
        this.setData({ ready: true });
      },
      (e) => this.setData({ error: `${e.code}: ${e.message}` }),
    );
  },

  // Each handler starts its flow before any await: the host must see the tap.
  track(flow) {
    this.setData({ busy: true, error: '' });
    return flow.then(
      (answer) => this.setData({ busy: false, result: JSON.stringify(answer) }),
      (e) => this.setData({ busy: false, error: e.code }),
    );
  },

  onPhoneNumber(e) {
    return this.track(this.bridge.forwardPhoneNumberEvent(e));
  },

  onEmailAddress(e) {
    return this.track(this.bridge.forwardEmailAddressEvent(e));
  },

  onOpenId() {
    return this.track(this.bridge.getOpenId());
  },

  onEmail() {
    return this.track(this.bridge.getEmailAddress());
  },

  onSubscribe() {
    // Refusal is an outcome, not an error: see answer.rejected.
    return this.track(this.bridge.requestSubscribeMessage(TEMPLATES));
  },
});
