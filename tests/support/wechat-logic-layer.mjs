// A WeChat-like logic layer in a Node `vm` context for a BUILT mini program output folder
// (Taro's dist/, uni-app's dist/build/mp-weixin/): App/Page/Component capture their
// configs, require() resolves files inside the output only, the only wasm loader is a
// path-only WXWebAssembly reading that folder (.wasm.br decompressed, as WeChat >= 2.14
// does), and there is no fetch, TextDecoder, WebAssembly or window (`global` exists, as in WeChat). `wx` carries only the
// few system-info calls framework runtimes read at start; the consent host is passed in.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import vm from 'node:vm';
import { brotliDecompressSync } from 'node:zlib';

export function logicLayer(outputDir, hosts) {
  const registered = { apps: [], pages: [], components: [] };
  const paths = [];
  const info = { platform: 'devtools', windowWidth: 375, windowHeight: 667, pixelRatio: 2, SDKVersion: '3.0.0', language: 'en' };
  const wx = {
    getSystemInfoSync: () => ({ ...info }),
    getWindowInfo: () => ({ ...info }),
    getDeviceInfo: () => ({ ...info }),
    getAppBaseInfo: () => ({ ...info }),
    getSystemSetting: () => ({}),
    getAppAuthorizeSetting: () => ({}),
    canIUse: () => true,
    nextTick: (fn) => setTimeout(fn, 0),
    onAppRoute() {},
    onAppRouteDone() {},
    ...(hosts.wx || {}),
  };
  const WXWebAssembly = {
    instantiate(path, imports) {
      paths.push(path);
      if (typeof path !== 'string' || !/\.wasm(\.br)?$/.test(path)) return Promise.reject(new Error('path must be a .wasm or .wasm.br in the code package'));
      const file = normalize(join(outputDir, path));
      if (!file.startsWith(outputDir) || !existsSync(file)) return Promise.reject(new Error(`no such file in the code package: ${path}`));
      const bytes = readFileSync(file);
      return WebAssembly.instantiate(path.endsWith('.br') ? brotliDecompressSync(bytes) : bytes, imports);
    },
  };
  let current = [];
  const context = vm.createContext({
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    ...hosts,
    wx,
    WXWebAssembly,
    App: (c) => registered.apps.push(c),
    Page: (c) => registered.pages.push(c),
    Component: (c) => registered.components.push(c),
    getApp: () => registered.apps[0],
    getCurrentPages: () => current,
  });
  // WeChat's logic layer has `global` (uni-app's runtime uses it); it has no WebAssembly.
  vm.runInContext('delete globalThis.WebAssembly; globalThis.global = globalThis;', context);
  const cache = {};
  const requireFrom = (dir) => (name) => {
    let file = normalize(join(dir, name));
    if (!file.endsWith('.js')) file += '.js';
    if (!file.startsWith(outputDir) || !existsSync(file)) throw new Error(`require(${name}): not in the output folder`);
    if (!cache[file]) {
      const module = { exports: {} };
      cache[file] = module;
      vm.runInContext(`(function (module, exports, require) {\n${readFileSync(file, 'utf8')}\n})`, context, { filename: file.slice(outputDir.length) })(module, module.exports, requireFrom(dirname(file)));
    }
    return cache[file].exports;
  };
  return {
    registered,
    paths,
    require: requireFrom(outputDir),
    /** An instance of a registered page config, with setData recording into `data`. */
    instance(config, route) {
      const page = Object.create(config);
      page.data = JSON.parse(JSON.stringify(config.data || {}));
      page.route = route;
      page.is = route;
      page.__wxWebviewId__ = 1;
      page.setData = (patch, cb) => {
        Object.assign(page.data, patch);
        if (cb) setTimeout(cb, 0);
      };
      current = [page];
      return page;
    },
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
