/** How `load()` finds and instantiates the wasm. */
export type LoadOptions =
  /** A WXWebAssembly-style loader and the .wasm path inside the code package. */
  | { instantiate: (path: string, imports: object) => Promise<{ instance: { exports: object }; module?: unknown } | { exports: object }>; path: string }
  /** The .wasm path inside the code package; WXWebAssembly or MYWebAssembly is used. */
  | { path: string }
  /** The .wasm bytes (needs the WebAssembly global). */
  | { bytes: ArrayBuffer | Uint8Array }
  /** A compiled module (needs the WebAssembly global). */
  | { module: object }
  /** A URL to fetch the .wasm from (needs fetch and the WebAssembly global). */
  | { url: string | object };

/** Loads and starts the wasm once; call it (and await it) before `new ConsentBridge()`. */
export function load(options: LoadOptions): Promise<void>;
