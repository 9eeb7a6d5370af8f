// One Worker for the whole app: Alipay offers WebAssembly (MYWebAssembly) only inside a
// Worker (my.createWorker, enterprise mini programs), so the wasm bridge runs there and
// the pages use the split-mode page half.
App({
  onLaunch() {
    this.worker = my.createWorker('workers/consent.js');
  },
});
