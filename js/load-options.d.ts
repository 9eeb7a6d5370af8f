/** How `load()` finds and instantiates the wasm. */
export type LoadOptions =
  /**
   * A WXWebAssembly-style loader and the .wasm path inside the code package. `imports` is
   * `any` on purpose: the hosts' own typings declare it their way (WeChat's
   * `WXWebAssembly.instantiate` takes `WXWebAssembly.Imports`), and each must be accepted.
   */
  | { instantiate: (path: string, imports: any) => PromiseLike<{ instance: { exports: object }; module?: unknown } | { exports: object }>; path: string }
  /** The .wasm path inside the code package; WXWebAssembly or MYWebAssembly is used. */
  | { path: string }
  /** The .wasm bytes (needs the WebAssembly global). */
  | { bytes: ArrayBuffer | Uint8Array }
  /** A compiled module (needs the WebAssembly global). */
  | { module: object }
  /** A URL to fetch the .wasm from (needs fetch and the WebAssembly global). */
  | { url: string | object };
