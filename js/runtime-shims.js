// Injected into the mini program build in place of the globals wasm-bindgen's glue uses
// (esbuild `inject`): nothing global is read unguarded or written, and each name falls
// back to something that works where the runtime lacks it.
//  - globalThis: the real one, else self / global, else a plain object, so js_sys::global()
//    is never undefined (Alipay's legacy global mode has none of them).
//  - TextEncoder / TextDecoder: native where present, the UTF-8 polyfills otherwise.
//  - WebAssembly: instantiation goes through the loader that `load()` was given
//    (WXWebAssembly-style path instantiation, bytes, a compiled module or a URL).
import { Utf8Decoder, Utf8Encoder } from './text-codec.js';

// Read here, in the inject file itself, which esbuild leaves unrewritten (in any other
// module these names would already point back at the shims).
const TextEncoderImpl = typeof TextEncoder === 'function' ? TextEncoder : Utf8Encoder;
const TextDecoderImpl = typeof TextDecoder === 'function' ? TextDecoder : Utf8Decoder;
const realWebAssembly = typeof WebAssembly !== 'undefined' ? WebAssembly : undefined;
const safeGlobal =
  typeof globalThis !== 'undefined' ? globalThis : typeof self !== 'undefined' ? self : typeof global !== 'undefined' ? global : {};

const LOAD = '__mpConsentBridgeLoad';

function configError(message) {
  const error = new Error(message);
  error.name = 'BridgeError';
  error.code = 'INVALID_CONFIG';
  return error;
}

/** Wraps `load()` options so the glue hands them, untouched, to `instantiate` below. */
export function loadRequest(options) {
  const request = Object.create(null);
  request[LOAD] = options;
  return request;
}

function needWebAssembly(what) {
  if (!realWebAssembly) {
    throw configError(`load({ ${what} }) needs the WebAssembly global, which this runtime lacks; pass load({ instantiate, path }) with the runtime's own loader (e.g. WXWebAssembly.instantiate).`);
  }
  return realWebAssembly;
}

const PLAIN = 'the plain module (mp-consent-bridge/web/mp_consent_bridge_bg.wasm, copied into your code package)';
const isBrotli = (path) => typeof path === 'string' && /\.br$/i.test(path);

/** Bytes that are a wasm module start with "\0asm"; brotli (.wasm.br) bytes do not. */
function checkModuleBytes(bytes, what) {
  const view = Object.prototype.toString.call(bytes) === '[object ArrayBuffer]' ? new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength)) : ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, Math.min(4, bytes.byteLength)) : null;
  if (view && !(view.length === 4 && view[0] === 0 && view[1] === 0x61 && view[2] === 0x73 && view[3] === 0x6d)) {
    throw configError(`load({ ${what} }) got bytes that are not a WebAssembly module (a brotli-compressed .wasm.br?). This runtime does not decompress brotli: load ${PLAIN} instead.`);
  }
  return bytes;
}

/** A loader that failed on a .wasm.br most likely cannot decompress brotli: say so. */
function explainBrotli(promise, path, who) {
  if (!isBrotli(path)) return promise;
  return Promise.resolve(promise).catch((e) => {
    const error = configError(`${who} could not instantiate ${path}: it may not decompress brotli .wasm.br files (WeChat needs base library 2.14 or later). Load ${PLAIN} instead. (${e && e.name ? e.name : 'error'}: ${e && e.message ? e.message : String(e)})`);
    throw error;
  });
}

function byPath(path, imports) {
  if (typeof WXWebAssembly !== 'undefined') return explainBrotli(WXWebAssembly.instantiate(path, imports), path, 'WXWebAssembly');
  if (typeof MYWebAssembly !== 'undefined') return explainBrotli(MYWebAssembly.instantiate(path, imports), path, 'MYWebAssembly');
  if (isBrotli(path)) throw configError(`load({ path: '${path}' }) needs WXWebAssembly or MYWebAssembly, which decompress brotli .wasm.br files; this runtime has neither: load ${PLAIN} with load({ bytes }) or load({ instantiate, path }).`);
  throw configError('load({ path }) found no WXWebAssembly or MYWebAssembly; pass load({ instantiate: (path, imports) => ..., path }).');
}

function start(options, imports) {
  if (!options || typeof options !== 'object') {
    throw configError('load() expects an object: { instantiate, path }, { path }, { bytes }, { module } or { url }.');
  }
  if (typeof options.instantiate === 'function') {
    if (typeof options.path !== 'string') throw configError('load({ instantiate }) also needs the path of the .wasm in the code package.');
    return explainBrotli(options.instantiate(options.path, imports), options.path, 'The instantiate function passed to load()');
  }
  if (options.module !== undefined) return needWebAssembly('module').instantiate(options.module, imports);
  if (options.bytes !== undefined) return needWebAssembly('bytes').instantiate(checkModuleBytes(options.bytes, 'bytes'), imports);
  if (options.url !== undefined) {
    const wasm = needWebAssembly('url');
    if (typeof fetch !== 'function') throw configError('load({ url }) needs fetch; pass { bytes } or { instantiate, path } instead.');
    return fetch(options.url)
      .then((response) => {
        if (!response.ok) throw configError(`load({ url }) got HTTP ${response.status} for the .wasm.`);
        return response.arrayBuffer();
      })
      .then((bytes) => wasm.instantiate(checkModuleBytes(bytes, 'url'), imports));
  }
  if (typeof options.path === 'string') return byPath(options.path, imports);
  throw configError('load() expects one of { instantiate, path }, { path }, { bytes }, { module } or { url }.');
}

/** `{instance, module}` from whatever a loader resolved with. */
function normalise(result) {
  if (result && result.instance && result.instance.exports) return { instance: result.instance, module: result.module };
  if (result && result.exports) return { instance: result, module: undefined };
  throw configError('The wasm loader must resolve with { instance } or an instance with exports.');
}

const shimWebAssembly = {
  async instantiate(source, imports) {
    const isRequest = source !== null && typeof source === 'object' && LOAD in source;
    if (!isRequest) return needWebAssembly('module').instantiate(source, imports);
    return normalise(await start(source[LOAD], imports));
  },
  Instance: realWebAssembly ? realWebAssembly.Instance : function Instance() {},
  Module: realWebAssembly ? realWebAssembly.Module : function Module() {},
  instantiateStreaming: undefined,
};

export {
  safeGlobal as globalThis,
  shimWebAssembly as WebAssembly,
  TextEncoderImpl as TextEncoder,
  TextDecoderImpl as TextDecoder,
};
