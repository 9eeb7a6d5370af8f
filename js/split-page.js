// Split mode, page half: for hosts whose WebAssembly lives only in a Worker (Alipay's
// MYWebAssembly; WeChat Workers have WXWebAssembly and no wx.*). Plain JS, no wasm: it
// makes the host call synchronously inside the tap, exactly as ConsentBridge does, and
// relays the raw settlement to the Worker half (js/split-worker.js), where the wasm bridge
// validates, applies its rules (single modal, timeouts, lifetimes, exactly-once) and
// forwards through this page's `request` (relayed: Workers have no my.* / wx.*).
//
//   const { createSplitPage } = require('mp-consent-bridge/miniprogram/split-page');
//   const worker = my.createWorker('workers/consent.js');
//   const bridge = createSplitPage({ host: my, worker });
//   onTap() { bridge.getAuthCode(['auth_user']).then(show, handle); }   // no await first
//
// Errors are BridgeError instances (this module's class: the page has no wasm) with the
// same code, message and details as direct mode, plus WORKER_UNAVAILABLE,
// SPLIT_PROTOCOL, SPLIT_VERSION_MISMATCH and PAGE_CLOSED for what only split mode can go wrong.
import { HOST_APIS, METHODS, OPEN_ID_APIS, SPLIT_CODES, envelope, envelopeProblem, errorFields, plain, unwrap } from './split-protocol.js';

/** The page-side error class: a real Error with a stable `code` and `details`. */
export class BridgeError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details || {};
  }
}

const fail = (code, message, details) => new BridgeError(code, message, details);
// Some shells (JavaScriptCore's jsc) have setTimeout but no clearTimeout; a timer left
// armed then only finds its flow already finished.
const clear = (timer) => {
  if (typeof clearTimeout === 'function') clearTimeout(timer);
};
const protocolError = (message) => fail(SPLIT_CODES.protocol, message);

// The argument rules the wasm bridge checks BEFORE it calls the host, mirrored here so a
// call the Worker would refuse never opens a modal first (tests/node/split.test.mjs
// checks each case against the wasm bridge itself).
const MAX_SCOPES = 10;
const PHONE_SCOPES = ['PLAINTEXT_MOBILE_PHONE'];
const PROFILE_SCOPES = ['auth_user', 'USER_NICKNAME', 'USER_AVATAR'];
const MAX_TEMPLATE_ID_LEN = 128;
const utf8Length = (s) => unescape(encodeURIComponent(s)).length;

// The list bounds of src/api.rs, checked before anything is copied.
const MAX_LIST_LEN = 64;
const MAX_ITEM_LEN = 4 * MAX_TEMPLATE_ID_LEN;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function strings(list, what) {
  const arg = (m) => fail('INVALID_ARGUMENT', m);
  if (!Array.isArray(list)) return arg(`Pass the ${what} as an array.`);
  if (list.length > MAX_LIST_LEN) return arg(`Pass at most ${MAX_LIST_LEN} ${what}.`);
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const malformed = arg(`Every one of the ${what} must be a well-formed string (#${i} is not).`);
    if (typeof item !== 'string') return malformed;
    if (item.length > MAX_ITEM_LEN) return arg(`The ${what} #${i} is longer than ${MAX_ITEM_LEN} characters.`);
    if (LONE_SURROGATE.test(item)) return malformed;
  }
  return null;
}

function checkScopes(scopes) {
  const bad = strings(scopes, 'scopes');
  if (bad) return bad;
  const arg = (m) => fail('INVALID_ARGUMENT', m);
  if (scopes.length === 0) return arg('Pass at least one scope, e.g. ["auth_base"] or ["auth_user"].');
  if (scopes.length > MAX_SCOPES) return arg(`Pass at most ${MAX_SCOPES} scopes per call.`);
  for (let i = 0; i < scopes.length; i++) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(scopes[i])) return arg(`Scope #${i} is not a scope name (letters, digits and _ only, at most 64).`);
    if (scopes.indexOf(scopes[i]) < i) return arg(`Scope #${i} repeats an earlier one.`);
  }
  const has = (set) => scopes.some((s) => set.indexOf(s) >= 0);
  if (has(PHONE_SCOPES) && has(PROFILE_SCOPES)) return arg('Ask for the phone number and the profile in separate modals; the platform forbids both in one.');
  return null;
}

function checkTemplateIds(ids, max) {
  const bad = strings(ids, 'template ids');
  if (bad) return bad;
  const arg = (m) => fail('INVALID_ARGUMENT', m);
  if (ids.length === 0) return arg('Pass at least one template id.');
  if (ids.length > max) return arg(`Pass at most ${max} template ids per call (got ${ids.length}); hosts refuse more in one modal.`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === '') return arg(`Template id #${i} is empty.`);
    if (utf8Length(ids[i]) > MAX_TEMPLATE_ID_LEN) return arg(`Template id #${i} is longer than ${MAX_TEMPLATE_ID_LEN} bytes.`);
    if (/[\s\u0000-\u001f\u007f-\u009f]/.test(ids[i])) return arg(`Template id #${i} contains whitespace or control characters.`);
    if (ids.indexOf(ids[i]) < i) return arg(`Template id #${i} repeats an earlier one; pass each template once.`);
  }
  return null;
}

/** Whether a getAuthorize button event authorizes (same rule as the wasm bridge). */
function authorizes(event) {
  if (!event || typeof event !== 'object') return false;
  const detail = event.detail && typeof event.detail === 'object' ? event.detail : {};
  const failed = ['errorCode', 'error', 'errorMessage', 'errMsg'].some((k) => detail[k] !== undefined && detail[k] !== null) || event.type === 'error';
  return !failed;
}

// The host APIs the bridge never calls on each platform (src/host/*.rs): it refuses with
// HOST_UNAVAILABLE before any host call, so the page makes none either.
const UNSUPPORTED = { wechat: /^get/, binance: /^get(OpenUserInfo|AuthCode)$/, alipay: /^(getPhoneNumber|getOpenId|getEmailAddress|login)$/ };

/** The platform of a host that is a runtime global (no globalThis under Alipay's legacy mode). */
function globalPlatform(host) {
  /* global wx, bn, my */
  if (typeof wx !== 'undefined' && wx === host) return 'wechat';
  if (typeof bn !== 'undefined' && bn === host) return 'binance';
  if (typeof my !== 'undefined' && my === host) return 'alipay';
  return null;
}

// One hub per Worker object: some runtimes keep only the last onMessage listener, and
// every page of the app may share the Worker.
const hubs = [];

function hubFor(worker) {
  for (const hub of hubs) if (hub.worker === worker) return hub;
  const hub = { worker, pages: {} };
  const each = (fn) => {
    for (const id of Object.keys(hub.pages)) fn(hub.pages[id]);
  };
  worker.onMessage((received) => {
    const message = unwrap(received);
    if (!message) return; // someone else's traffic on the same Worker
    const page = typeof message.page === 'string' ? hub.pages[message.page] : undefined;
    if (page) page.receive(message);
    else if (message.type !== 'ack') each((p) => p.report(protocolError(`A ${String(message.type)} message arrived for a page that is not open (${String(message.page)}).`)));
  });
  const killed = (why) => each((p) => p.workerGone(why));
  if (typeof worker.onProcessKilled === 'function') worker.onProcessKilled(() => killed('the system killed the Worker'));
  if (typeof worker.onError === 'function') worker.onError(() => killed('the Worker reported a script error'));
  hubs.push(hub);
  return hub;
}

let pageCounter = 0;

/**
 * The page half. `options`: `host` (my, wx or bn; required), `worker` (the object
 * my.createWorker / wx.createWorker returned; required), `platform` and
 * `maxTemplatesPerCall` (as ConsentBridge's; the Worker's bridge takes both from the
 * page), `ackTimeoutMs` (how long the Worker may take to
 * acknowledge a flow, default 5000), `flowTimeoutMs` (a backstop on a whole flow, default
 * 180000; the bridge's own host and request timeouts normally end a flow first),
 * `onProtocolError(error)` (messages that fit no flow: unknown, duplicated, late).
 */
export function createSplitPage(options) {
  return new SplitPage(options);
}

export class SplitPage {
  constructor(options) {
    const o = options || {};
    if (!o.host || typeof o.host !== 'object') throw fail('INVALID_CONFIG', 'createSplitPage needs options.host, the page\'s host object (my, wx or bn).');
    if (!o.worker || typeof o.worker.postMessage !== 'function' || typeof o.worker.onMessage !== 'function') {
      throw fail('INVALID_CONFIG', 'createSplitPage needs options.worker, the object my.createWorker(...) returned (postMessage and onMessage).');
    }
    if (o.platform !== undefined && !Object.prototype.hasOwnProperty.call(UNSUPPORTED, o.platform)) throw fail('INVALID_CONFIG', 'options.platform must be "wechat", "binance" or "alipay".');
    const max = o.maxTemplatesPerCall;
    if (max !== undefined && !(Number.isInteger(max) && max >= 1 && max <= 20)) throw fail('INVALID_CONFIG', 'options.maxTemplatesPerCall must be an integer from 1 to 20.');
    this.host = o.host;
    this.worker = o.worker;
    // As the bridge resolves it (src/host/mod.rs): named, else the global the host is, else
    // none (a mock: the pre-platform shapes). The Worker's bridge gets the same.
    this.platform = o.platform || globalPlatform(o.host);
    this.maxTemplatesPerCall = max;
    this.maxTemplates = max || (this.platform === 'wechat' ? 5 : 3);
    this.ackTimeoutMs = o.ackTimeoutMs === undefined ? 5000 : o.ackTimeoutMs;
    this.flowTimeoutMs = o.flowTimeoutMs === undefined ? 180000 : o.flowTimeoutMs;
    this.onProtocolError = typeof o.onProtocolError === 'function' ? o.onProtocolError : null;
    pageCounter += 1;
    this.id = `p${pageCounter}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`;
    this.flows = {};
    this.requests = {};
    this.counter = 0;
    this.hostOpen = false;
    this.closed = false;
    this.hub = hubFor(o.worker);
    this.hub.pages[this.id] = this;
  }

  post(type, fields) {
    this.worker.postMessage(envelope(type, this.id, fields));
  }

  report(error) {
    if (this.onProtocolError) {
      try {
        this.onProtocolError(error);
      } catch (_) {
        // the page's own handler failing must not break the relay
      }
    }
  }

  /** Runs `method` of the bridge: the host call (if any) now, everything else in the Worker. */
  run(method, args) {
    if (this.closed) return Promise.reject(fail('PAGE_CLOSED', 'This split page was disposed; create a new one for the page.'));
    let api = METHODS[method];
    if (api && this.platform && UNSUPPORTED[this.platform].test(api)) api = null;
    // The open id: the first name the host has, as the bridge picks it.
    if (api === 'getOpenId') api = OPEN_ID_APIS.filter((name) => typeof this.host[name] === 'function')[0] || 'getOpenId';
    if (method === 'askOpenUserInfoFromEvent' && !authorizes(args[0])) api = null;
    let refused = null;
    if (method === 'askAuthCode' || method === 'getAuthCode') refused = checkScopes(args[0]);
    if (method === 'askSubscribe' || method === 'requestSubscribeMessage') refused = checkTemplateIds(args[0], this.maxTemplates);
    if (refused) return Promise.reject(refused);
    let relayedArgs;
    try {
      relayedArgs = plain(args);
    } catch (_) {
      return Promise.reject(fail('INVALID_ARGUMENT', 'The arguments are too large or too deeply nested to pass to the Worker.'));
    }
    if (api) {
      if (typeof this.host[api] !== 'function') {
        return Promise.reject(fail('HOST_UNAVAILABLE', `The host has no ${api} function. Run this in a mini program whose host provides it (check the app and SDK version), or pass options.host.`));
      }
      if (this.hostOpen) {
        return Promise.reject(fail('CONSENT_BUSY', 'Another consent request is still open; wait for it to finish (disable the button while it runs).'));
      }
    }
    this.counter += 1;
    const flowId = `${this.id}#${this.counter}`;
    const flow = { id: flowId, api, settled: false, timers: [] };
    const promise = new Promise((resolve, reject) => {
      flow.resolve = resolve;
      flow.reject = reject;
    });
    this.flows[flowId] = flow;
    // The host call first, synchronously, inside the tap.
    if (api) this.callHost(flow, api, relayedArgs);
    const hostApis = HOST_APIS.filter((name) => typeof this.host[name] === 'function');
    this.post('begin', { flow: flowId, method, args: relayedArgs, api, hostApis, platform: this.platform, maxTemplatesPerCall: this.maxTemplatesPerCall });
    flow.timers.push(setTimeout(() => this.finish(flow, fail(SPLIT_CODES.unavailable, `The Worker did not acknowledge the flow within ${this.ackTimeoutMs} ms: create it with my.createWorker(...) and call serveSplit() in it, or recreate it after onProcessKilled.`)), this.ackTimeoutMs));
    flow.timers.push(setTimeout(() => this.finish(flow, fail(SPLIT_CODES.unavailable, `The Worker did not finish the flow within ${this.flowTimeoutMs} ms.`)), this.flowTimeoutMs));
    return promise;
  }

  callHost(flow, api, args) {
    const options = {};
    if (api === 'requestSubscribeMessage') options[this.platform === 'alipay' ? 'entityIds' : 'tmplIds'] = args[0].slice();
    if (api === 'getAuthCode') options.scopes = args[0].slice();
    let done = false;
    this.hostOpen = true;
    const settle = (outcome, value) => {
      if (done) return;
      done = true;
      flow.hostSettled = true;
      // The page stays busy until the Worker says its bridge is done with this answer
      // ('free'), exactly when the direct bridge would accept the next consent call.
      if (flow.settled) {
        this.hostOpen = false;
        return; // the flow already ended (Worker gone, page disposed): drop the answer
      }
      // A thrown Error keeps its name and message (its own properties are not enumerable).
      if (Object.prototype.toString.call(value) === '[object Error]') {
        return this.post('settle', { flow: flow.id, outcome, thrown: { name: String(value.name), message: String(value.message) } });
      }
      let copied;
      try {
        copied = plain(value);
      } catch (_) {
        outcome = 'failure';
        copied = { error: 'RELAY_LIMIT', errorMessage: 'The host answer was too large to pass to the Worker.' };
      }
      this.post('settle', { flow: flow.id, outcome, value: copied });
    };
    flow.hostSettled = false;
    options.success = (v) => settle('success', v);
    options.fail = (v) => settle('failure', v);
    options.complete = (v) => settle('success', v);
    try {
      const returned = this.host[api](options);
      if (returned && typeof returned.then === 'function') {
        try {
          returned.then((v) => settle('success', v), (e) => settle('failure', e));
        } catch (e) {
          settle('failure', e);
        }
      }
    } catch (e) {
      settle('failure', e);
    }
  }

  finish(flow, error, value) {
    if (flow.settled) return;
    flow.settled = true;
    for (const t of flow.timers) clear(t);
    delete this.flows[flow.id];
    // A host call still open stays open for the user, but no longer blocks the page.
    if (flow.api && !flow.freed) this.hostOpen = false;
    if (error) flow.reject(error);
    else flow.resolve(value);
  }

  receive(message) {
    const problem = envelopeProblem(message);
    const flow = typeof message.flow === 'string' ? this.flows[message.flow] : undefined;
    if (problem) {
      const error = fail(problem.startsWith('version') ? SPLIT_CODES.version : SPLIT_CODES.protocol, problem.replace(/^\w+: /, ''));
      if (flow) this.finish(flow, error);
      else for (const id of Object.keys(this.flows)) this.finish(this.flows[id], error);
      this.report(error);
      return;
    }
    switch (message.type) {
      case 'ack':
        if (flow) clear(flow.timers[0]);
        return;
      case 'free':
        if (flow && flow.api && !flow.freed) {
          flow.freed = true;
          this.hostOpen = false;
        }
        return;
      case 'result':
        if (!flow) return this.report(protocolError(`A result arrived for a flow that is not open (${String(message.flow)}): duplicated or late.`));
        if (message.ok === true) return this.finish(flow, null, message.value);
        {
          const e = message.error && typeof message.error === 'object' ? message.error : {};
          return this.finish(flow, fail(typeof e.code === 'string' ? e.code : SPLIT_CODES.protocol, typeof e.message === 'string' ? e.message : 'The Worker failed the flow without a message.', e.details));
        }
      case 'request':
        return this.request(message);
      case 'abort': {
        const task = this.requests[message.req];
        if (task && task.task && typeof task.task.abort === 'function') task.task.abort();
        return;
      }
      default:
        return this.report(protocolError(`Unknown message type ${String(message.type)} from the Worker.`));
    }
  }

  /** Performs a request for the Worker's bridge with the page's host.request. */
  request(message) {
    const req = message.req;
    const respond = (outcome, value) => {
      const entry = this.requests[req];
      if (!entry || entry.done) return;
      entry.done = true;
      delete this.requests[req];
      let copied;
      try {
        copied = plain(value);
      } catch (_) {
        outcome = 'failure';
        copied = { error: 12, errMsg: 'request:fail the answer was too large to pass to the Worker' };
      }
      this.post('response', { req, outcome, value: copied });
    };
    if (typeof req !== 'string' || this.requests[req]) return this.report(protocolError('A request from the Worker has no id or repeats one.'));
    this.requests[req] = { done: false };
    const o = message.options && typeof message.options === 'object' ? message.options : {};
    if (Object.keys(this.flows).length === 0 || typeof o.url !== 'string') {
      this.report(protocolError('The Worker sent a request while no flow of this page is open; refused.'));
      return respond('failure', { error: 12, errMsg: 'request:fail no open flow on this page' });
    }
    if (typeof this.host.request !== 'function') return respond('failure', { errMsg: 'request:fail the page host has no request()' });
    const options = {};
    for (const k of ['url', 'method', 'header', 'headers', 'data', 'dataType', 'responseType', 'timeout']) if (o[k] !== undefined) options[k] = o[k];
    options.success = (v) => respond('success', v);
    options.fail = (v) => respond('failure', v);
    try {
      this.requests[req].task = this.host.request(options);
    } catch (e) {
      respond('failure', { errMsg: 'request:fail the host request() threw' });
    }
  }

  workerGone(why) {
    for (const id of Object.keys(this.flows)) this.finish(this.flows[id], fail(SPLIT_CODES.unavailable, `The flow ended because ${why}; create the Worker again and retry.`));
  }

  /** Call from the page's onUnload: ends this page's flows here and in the Worker. */
  dispose() {
    if (this.closed) return;
    this.closed = true;
    const open = Object.keys(this.flows);
    for (const id of open) this.finish(this.flows[id], fail('PAGE_CLOSED', 'The page was closed (dispose()) before the flow finished.'));
    for (const req of Object.keys(this.requests)) {
      const entry = this.requests[req];
      delete this.requests[req];
      entry.done = true;
      if (entry.task && typeof entry.task.abort === 'function') entry.task.abort();
    }
    delete this.hub.pages[this.id];
    this.post('bye', { flows: open });
  }
}

const proto = SplitPage.prototype;
for (const method of Object.keys(METHODS)) {
  proto[method] = function (...args) {
    return this.run(method, args);
  };
}

export { HOST_APIS, SPLIT_CODES };
