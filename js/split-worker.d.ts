import type { ConsentBridgeOptions, LoadOptions } from "./index";
export { load, ConsentBridge, BridgeError } from "./index";

export interface ServeSplitOptions {
  /** The Worker's global `worker` object. */
  worker: { postMessage(message: object): void; onMessage(listener: (message: any) => void): void };
  /** What to pass to load(), e.g. `{ path: '/workers/mp_consent_bridge.wasm' }`; omit when already loaded. */
  load?: LoadOptions;
  /**
   * ConsentBridge options for every page, without `host` and `transport` (split mode
   * supplies both), `platform` and `maxTemplatesPerCall` (each page's, from createSplitPage).
   */
  bridge?: Omit<ConsentBridgeOptions, "host" | "transport" | "platform" | "maxTemplatesPerCall">;
  /** Called with a SPLIT_PROTOCOL error for messages that fit no flow. */
  onProtocolError?: (error: Error & { code: string }) => void;
}

/** Serves the page halves of the app from this Worker. */
export function serveSplit(options: ServeSplitOptions): { ready: Promise<void>; close(): void };
