
/** Loads and starts the wasm once; call it (and await it) before `new ConsentBridge()`. */
export function load(options: LoadOptions): Promise<void>;
