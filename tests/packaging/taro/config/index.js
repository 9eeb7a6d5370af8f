// Taro 4 project config. The README's Taro guide, to the letter: the wasm inside the npm
// package is not copied by Taro, so copy.patterns copies it into the output.
const { defineConfig } = require('@tarojs/cli');

module.exports = defineConfig(async () => ({
  projectName: 'taro-consent-example',
  date: '2026-12-2',
  designWidth: 750,
  deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
  sourceRoot: 'src',
  outputRoot: 'dist',
  plugins: [],
  defineConstants: { BACKEND: JSON.stringify(process.env.MPCB_BACKEND || 'https://api.example.com') },
  copy: {
    patterns: [{ from: 'node_modules/mp-consent-bridge/miniprogram/mp_consent_bridge.wasm.br', to: 'dist/mp_consent_bridge.wasm.br' }],
    options: {},
  },
  framework: 'react',
  compiler: 'webpack5',
  mini: { postcss: { pxtransform: { enable: true, config: {} }, cssModules: { enable: false } } },
}));
