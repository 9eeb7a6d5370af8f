
/**
 * Resolves at once: this build loads the wasm when it is imported. It exists so that one
 * import, `import { load, ConsentBridge } from 'mp-consent-bridge'`, type-checks and runs
 * both here and in a mini program, where WeChat's npm build resolves the same specifier
 * to the `miniprogram` build and its `load()` reads the options.
 */
export function load(options?: LoadOptions): Promise<void>;
