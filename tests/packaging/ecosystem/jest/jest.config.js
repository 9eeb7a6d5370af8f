// jest's defaults (CommonJS, node environment) for default.test.js; the component test
// picks jsdom itself (miniprogram-simulate needs a DOM). customExportConditions: jsdom's
// default ['browser'] would pick the bundler build (an ES module importing .wasm), which
// jest cannot run; 'node' picks the CommonJS node build, which loads the wasm at require.
module.exports = {
  testEnvironmentOptions: { customExportConditions: ['node', 'require', 'default'] },
};
