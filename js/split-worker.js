// Split mode, Worker half: runs the wasm ConsentBridge inside a Worker (where Alipay
// offers MYWebAssembly and WeChat WXWebAssembly) against a stand-in host. The stand-in's
// consent methods settle with what the page half relays (the page made the real host call
// inside the tap); its `request` is relayed to the page's my.request / wx.request. So
// validation, the single-modal rule, host and request timeouts, token lifetimes and
// exactly-once forwarding are the bridge's own, unchanged.
//
//   // workers/consent.js (copy index.js, split-worker.js and the .wasm beside it)
//   const { serveSplit } = require('./split-worker.js');
//   serveSplit({ worker, load: { path: '/workers/mp_consent_bridge.wasm' }, bridge: { backend: 'https://api.example.com' } });
import { BridgeError, ConsentBridge, load } from 'mp-consent-bridge-miniprogram-entry';
import { HOST_APIS, METHODS, SPLIT_CODES, envelope, envelopeProblem, errorFields, plain, unwrap } from './split-protocol.js';

// Bounds: settlements held for a begin that has not arrived (per page, and for how long),
// and pages remembered at once (a page that never calls dispose() is forgotten when idle;
// mini program page stacks hold about 10 pages, so a live page is evicted only by a leak,
// and then gets a fresh bridge while the backend's single-use check still holds).
const MAX_EARLY = 16;
const EARLY_TTL_MS = 60000;
const MAX_PAGES = 32;

function problemError(problem) {
  return { code: problem.startsWith('version') ? SPLIT_CODES.version : SPLIT_CODES.protocol, message: problem.replace(/^\w+: /, ''), details: {} };
}

/**
 * Serves the page halves of the app over `options.worker` (the Worker's global `worker`).
 * `options.load`: what to pass to load() (e.g. `{ path }`); omit it when load() was
 * already called. `options.bridge`: ConsentBridge options for every page (backend,
 * routes, headers, timeouts, …) without `host` and `transport` (split mode supplies both)
 * nor `platform` and `maxTemplatesPerCall` (each page's own, from createSplitPage).
 * `options.onProtocolError(error)`: messages that fit no flow. Returns `{ ready, close }`.
 */
export function serveSplit(options) {
  const o = options || {};
  const worker = o.worker;
  if (!worker || typeof worker.postMessage !== 'function' || typeof worker.onMessage !== 'function') {
    throw Object.assign(new Error('serveSplit needs options.worker, the Worker\'s global worker object (postMessage and onMessage).'), { name: 'BridgeError', code: 'INVALID_CONFIG', details: {} });
  }
  const bridgeOptions = o.bridge && typeof o.bridge === 'object' ? o.bridge : {};
  const report = (message) => {
    if (typeof o.onProtocolError === 'function') {
      try {
        o.onProtocolError(Object.assign(new Error(message), { name: 'BridgeError', code: SPLIT_CODES.protocol, details: {} }));
      } catch (_) {
        // the app's handler failing must not stop the relay
      }
    }
  };
  const pages = {};
  let closed = false;
  let loadError = null;
  const ready = (o.load ? load(o.load) : Promise.resolve()).then(
    () => undefined,
    (e) => {
      loadError = errorFields(e);
    },
  );

  const post = (type, page, fields) => {
    if (!closed) worker.postMessage(envelope(type, page, fields));
  };

  function session(pageId) {
    if (pages[pageId]) return pages[pageId];
    if (Object.keys(pages).length >= MAX_PAGES) {
      for (const id of Object.keys(pages)) {
        if (Object.keys(pages[id].flows).length === 0 && Object.keys(pages[id].requests).length === 0) delete pages[id];
      }
    }
    const s = { id: pageId, flows: {}, requests: {}, reqCounter: 0, current: null, gone: false, bridge: null, error: null, config: null };
    // The stand-in offers exactly the consent APIs the page's host has (the page lists
    // them in each begin), so the bridge picks the same API as it would on the page.
    const host = {};
    s.apis = [];
    for (const api of HOST_APIS) {
      const fn = (hostOptions) => standIn(s, api, hostOptions);
      Object.defineProperty(host, api, { get: () => (s.apis.indexOf(api) >= 0 ? fn : undefined), enumerable: true });
    }
    host.request = (requestOptions) => relayRequest(s, requestOptions);
    s.host = host;
    pages[pageId] = s;
    return s;
  }

  // The page's bridge, made once the wasm is loaded.
  function bridgeOf(s) {
    if (!s.bridge && !s.error) {
      try {
        const merged = {};
        for (const key of Object.keys(bridgeOptions)) merged[key] = bridgeOptions[key];
        merged.host = s.host;
        // The page owns the host, so its platform and template limit are the bridge's.
        for (const key in s.config) {
          if (s.config[key] == null) delete merged[key];
          else merged[key] = s.config[key];
        }
        if (merged.backend !== undefined) merged.transport = 'host';
        s.bridge = new ConsentBridge(merged);
      } catch (e) {
        s.error = errorFields(e);
      }
    }
    return s.bridge;
  }

  // The bridge calls this synchronously while it runs a flow's method (s.current).
  function standIn(s, api, hostOptions) {
    const flow = s.current;
    if (!flow || flow.pageApi !== api) {
      if (flow) flow.mismatch = `the page called ${String(flow.pageApi)} but the bridge asked for ${api}`;
      setTimeout(() => hostOptions.fail({ error: SPLIT_CODES.protocol, errorMessage: 'split mode: no host call on the page matches this one' }), 0);
      return undefined;
    }
    flow.bridgeCalled = true;
    flow.hostOptions = hostOptions;
    if (flow.settlement) deliver(s, flow);
    return undefined;
  }

  function deliver(s, flow) {
    const { outcome, value } = flow.settlement;
    const target = flow.hostOptions;
    flow.hostOptions = null;
    setTimeout(() => {
      if (outcome === 'success') target.success(value);
      else target.fail(value);
      // Validation runs in promise jobs; after this timer the bridge's modal slot is free.
      setTimeout(() => post('free', s.id, { flow: flow.id }), 0);
    }, 0);
  }

  function relayRequest(s, requestOptions) {
    s.reqCounter += 1;
    const req = `${s.id}~${s.reqCounter}`;
    const { success, fail } = requestOptions;
    if (s.gone) {
      setTimeout(() => fail({ error: 12, errorMessage: 'split mode: the page went away' }), 0);
      return { abort() {} };
    }
    const relayed = {};
    for (const k of ['url', 'method', 'header', 'headers', 'data', 'dataType', 'responseType', 'timeout']) if (requestOptions[k] !== undefined) relayed[k] = requestOptions[k];
    s.requests[req] = { success, fail };
    post('request', s.id, { req, options: plain(relayed) });
    return {
      abort() {
        if (s.requests[req]) post('abort', s.id, { req });
      },
    };
  }

  function begin(s, message) {
    const id = message.flow;
    let flow = s.flows[id];
    if (flow && flow.begun) return report(`The page sent flow ${id} twice; the copy was ignored.`);
    if (!flow) flow = s.flows[id] = { id };
    flow.begun = true;
    flow.pageApi = typeof message.api === 'string' ? message.api : null;
    if (Array.isArray(message.hostApis)) s.apis = message.hostApis.filter((a) => HOST_APIS.indexOf(a) >= 0);
    if (!s.config) s.config = { platform: message.platform, maxTemplatesPerCall: message.maxTemplatesPerCall };
    post('ack', s.id, { flow: id });
    const method = message.method;
    const result = (fields) => {
      delete s.flows[id];
      flow.done = true;
      if (!s.gone) post('result', s.id, Object.assign({ flow: id }, fields));
    };
    ready.then(() => {
      if (loadError || !bridgeOf(s)) return result({ ok: false, error: loadError || s.error });
      if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(METHODS, method)) {
        return result({ ok: false, error: problemError(`protocol: the page asked for an unknown method (${String(method)}).`) });
      }
      let promise;
      s.current = flow;
      try {
        promise = s.bridge[method].apply(s.bridge, Array.isArray(message.args) ? message.args : []);
      } catch (e) {
        promise = Promise.reject(e);
      } finally {
        s.current = null;
      }
      // When the page called the host and the bridge did not (it refused first, e.g.
      // busy), the relayed answer is never used and the bridge's own error is the result.
      promise.then(
        (value) => {
          if (flow.mismatch) return result({ ok: false, error: problemError(`protocol: ${flow.mismatch}.`) });
          let copied;
          try {
            copied = plain(value);
          } catch (_) {
            return result({ ok: false, error: problemError('protocol: the result is too large to pass to the page.') });
          }
          result({ ok: true, value: copied });
        },
        (e) => result({ ok: false, error: flow.mismatch ? problemError(`protocol: ${flow.mismatch}.`) : errorFields(e) }),
      );
    });
  }

  function settle(s, message) {
    const id = message.flow;
    let flow = s.flows[id];
    if (!flow) {
      // A settlement may overtake its begin message; keep a few, bounded.
      const now = Date.now();
      for (const other of Object.keys(s.flows)) {
        const held = s.flows[other];
        if (!held.begun && now - held.heldSince > EARLY_TTL_MS) {
          delete s.flows[other];
          report(`Flow ${other} was settled but never begun; its settlement was dropped.`);
        }
      }
      if (Object.keys(s.flows).length >= MAX_EARLY) return report(`Too many settlements without a flow; ${id} was dropped.`);
      flow = s.flows[id] = { id, heldSince: now };
    }
    if (flow.settlement) return report(`The page settled flow ${id} twice; the copy was ignored.`);
    if (message.outcome !== 'success' && message.outcome !== 'failure') return report(`Flow ${id} was settled with an unknown outcome.`);
    let value = message.value;
    if (message.thrown && typeof message.thrown === 'object') {
      // The host threw an Error on the page: the bridge sees an Error here too.
      value = new Error(String(message.thrown.message));
      value.name = String(message.thrown.name);
    }
    flow.settlement = { outcome: message.outcome, value };
    if (flow.hostOptions) deliver(s, flow);
  }

  function response(s, message) {
    const pending = s.requests[message.req];
    if (!pending) return report(`A response arrived for a request that is not open (${String(message.req)}): duplicated or late.`);
    delete s.requests[message.req];
    if (message.outcome === 'success') pending.success(message.value);
    else pending.fail(message.value);
  }

  function bye(s) {
    s.gone = true;
    // Host calls and requests still waiting for this page end now, as failures.
    for (const id of Object.keys(s.flows)) {
      const flow = s.flows[id];
      if (flow.hostOptions) {
        flow.settlement = { outcome: 'failure', value: { error: 'PAGE_GONE', errorMessage: 'split mode: the page went away before the host answered' } };
        deliver(s, flow);
      }
    }
    for (const req of Object.keys(s.requests)) {
      const pending = s.requests[req];
      delete s.requests[req];
      setTimeout(() => pending.fail({ error: 12, errorMessage: 'split mode: the page went away' }), 0);
    }
    const forget = () => {
      if (Object.keys(s.flows).length === 0) delete pages[s.id];
      else setTimeout(forget, 1000);
    };
    forget();
  }

  worker.onMessage((received) => {
    if (closed) return;
    const message = unwrap(received);
    if (!message) return; // someone else's traffic on the same Worker
    const problem = envelopeProblem(message);
    if (problem) {
      report(problem);
      if (typeof message.page === 'string' && typeof message.flow === 'string' && message.type === 'begin') {
        post('result', message.page, { flow: message.flow, ok: false, error: problemError(problem) });
      }
      return;
    }
    if (message.type === 'begin' && typeof message.flow !== 'string') return report('A begin message has no flow id.');
    const known = pages[message.page];
    if (!known && message.type === 'bye') return undefined;
    if (!known && message.type !== 'begin' && message.type !== 'settle') return report(`A ${message.type} message arrived from a page with no open flow.`);
    const s = known || session(message.page);
    switch (message.type) {
      case 'begin':
        return begin(s, message);
      case 'settle':
        return settle(s, message);
      case 'response':
        return response(s, message);
      case 'bye':
        return bye(s);
      default:
        return report(`Unknown message type ${message.type} from a page.`);
    }
  });

  return {
    ready,
    /** Stops answering; pages then get WORKER_UNAVAILABLE from their timeouts. */
    close() {
      closed = true;
    },
  };
}

export { BridgeError, ConsentBridge, load };
