// babel-preset-taro, as `taro init` writes it for React without TypeScript.
module.exports = {
  presets: [['taro', { framework: 'react', ts: false, compiler: 'webpack5' }]],
};
