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

function byPath(path, imports) {
  if (typeof WXWebAssembly !== 'undefined') return WXWebAssembly.instantiate(path, imports);
  if (typeof MYWebAssembly !== 'undefined') return MYWebAssembly.instantiate(path, imports);
  throw configError('load({ path }) found no WXWebAssembly or MYWebAssembly; pass load({ instantiate: (path, imports) => ..., path }).');
}

function start(options, imports) {
  if (!options || typeof options !== 'object') {
    throw configError('load() expects an object: { instantiate, path }, { path }, { bytes }, { module } or { url }.');
  }
  if (typeof options.instantiate === 'function') {
    if (typeof options.path !== 'string') throw configError('load({ instantiate }) also needs the path of the .wasm in the code package.');
    return options.instantiate(options.path, imports);
  }
  if (options.module !== undefined) return needWebAssembly('module').instantiate(options.module, imports);
  if (options.bytes !== undefined) return needWebAssembly('bytes').instantiate(options.bytes, imports);
  if (options.url !== undefined) {
    const wasm = needWebAssembly('url');
    if (typeof fetch !== 'function') throw configError('load({ url }) needs fetch; pass { bytes } or { instantiate, path } instead.');
    return fetch(options.url)
      .then((response) => {
        if (!response.ok) throw configError(`load({ url }) got HTTP ${response.status} for the .wasm.`);
        return response.arrayBuffer();
      })
      .then((bytes) => wasm.instantiate(bytes, imports));
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
