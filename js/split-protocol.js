// The message protocol between the two halves of split mode (js/split-page.js on the page,
// js/split-worker.js in the Worker that holds the wasm). Bundled into both halves.
//
// Every message is a plain, structured-clone-safe object with a fixed envelope that no
// future version may change: { protocol, version, package, type, page, flow? , ... }.
// `version` is this protocol's number and `package` the npm package version; the halves
// refuse to work together when either differs (SPLIT_VERSION_MISMATCH), so a code package
// whose page and Worker files come from different releases fails loudly, never oddly.

/** Marks our messages among whatever else an app sends over the same Worker. */
export const PROTOCOL = 'mp-consent-bridge/split';
/** The protocol number; bump it on any change to a message's meaning. */
export const VERSION = 2; // 2: login; begin carries the page's platform and template limit
/** The package version, filled in by scripts/assemble.mjs (esbuild `define`). */
export const PACKAGE = typeof __MPCB_VERSION__ === 'string' ? __MPCB_VERSION__ : '0.0.0-source';

/**
 * Consent host APIs the halves may relay, with the bridge methods that call them.
 * `null`: the method never calls the host (it only validates and forwards).
 */
export const METHODS = {
  askPhoneNumber: 'getPhoneNumber',
  getPhoneNumber: 'getPhoneNumber',
  askOpenId: 'getOpenId',
  getOpenId: 'getOpenId',
  askEmailAddress: 'getEmailAddress',
  getEmailAddress: 'getEmailAddress',
  askSubscribe: 'requestSubscribeMessage',
  requestSubscribeMessage: 'requestSubscribeMessage',
  askOpenUserInfo: 'getOpenUserInfo',
  getOpenUserInfo: 'getOpenUserInfo',
  askOpenUserInfoFromEvent: 'getOpenUserInfo',
  askAuthCode: 'getAuthCode',
  getAuthCode: 'getAuthCode',
  askLoginCode: 'login',
  login: 'login',
  phoneNumberFromEvent: null,
  forwardPhoneNumberEvent: null,
  emailAddressFromEvent: null,
  forwardEmailAddressEvent: null,
  forward: null,
};

/** The open-id call's names, in the bridge's order of preference (src/host/binance.rs). */
export const OPEN_ID_APIS = ['getOpenId', 'getUserOpenId', 'getUserOpenid'];

/** Host APIs the Worker's stand-in host offers (getUserOpenId / getUserOpenid: newer Binance docs and SDKs). */
export const HOST_APIS = ['getPhoneNumber', 'getOpenId', 'getUserOpenId', 'getUserOpenid', 'getEmailAddress', 'requestSubscribeMessage', 'getOpenUserInfo', 'getAuthCode', 'login'];

/** Error codes split mode adds to BridgeError's own. */
export const SPLIT_CODES = {
  unavailable: 'WORKER_UNAVAILABLE',
  protocol: 'SPLIT_PROTOCOL',
  version: 'SPLIT_VERSION_MISMATCH',
  closed: 'PAGE_CLOSED',
};

export function envelope(type, page, fields) {
  const message = { protocol: PROTOCOL, version: VERSION, package: PACKAGE, type, page };
  for (const key in fields) if (Object.prototype.hasOwnProperty.call(fields, key)) message[key] = fields[key];
  return message;
}

/** The message itself, whatever way the runtime's onMessage hands it over; else undefined. */
export function unwrap(received) {
  if (received && typeof received === 'object') {
    if (received.protocol === PROTOCOL) return received;
    for (const key of ['message', 'data']) {
      const inner = received[key];
      if (inner && typeof inner === 'object' && inner.protocol === PROTOCOL) return inner;
    }
  }
  return undefined;
}

/** Why a message of ours cannot be used: a version mismatch, a bad envelope, or ''. */
export function envelopeProblem(message) {
  if (message.version !== VERSION || message.package !== PACKAGE) {
    return `version: this half is protocol ${VERSION} / package ${PACKAGE}, the other half is protocol ${String(message.version)} / package ${String(message.package)}; copy both halves from the same mp-consent-bridge release.`;
  }
  if (typeof message.type !== 'string' || typeof message.page !== 'string') return 'protocol: a message lacks its type or page.';
  return '';
}

const LIMITS = { depth: 32, nodes: 5000, chars: 1000000 };

/**
 * A bounded plain-data copy (strings, finite numbers, booleans, null, undefined, arrays,
 * plain objects; functions and other objects dropped) so every message is serialisable
 * and no host answer can make an unbounded copy. Throws RangeError past the limits.
 */
export function plain(value) {
  const budget = { nodes: LIMITS.nodes, chars: LIMITS.chars };
  return copy(value, 0, budget);
}

function copy(value, depth, budget) {
  if (--budget.nodes < 0) throw new RangeError('relay limit: too many values');
  switch (typeof value) {
    case 'string':
      budget.chars -= value.length;
      if (budget.chars < 0) throw new RangeError('relay limit: too much text');
      return value;
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  if (depth >= LIMITS.depth) throw new RangeError('relay limit: nested too deeply');
  if (Array.isArray(value)) {
    const out = [];
    for (let i = 0; i < value.length; i++) out.push(copy(value[i], depth + 1, budget));
    return out;
  }
  const out = {};
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (typeof item === 'function') continue;
    // defineProperty, so a "__proto__" key stays an own key and never a prototype.
    Object.defineProperty(out, key, { value: copy(item, depth + 1, budget), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A BridgeError-like value as a message field: code, message, details only (never a token). */
export function errorFields(error) {
  if (error && typeof error === 'object' && typeof error.code === 'string') {
    let details = {};
    try {
      details = plain(error.details || {});
    } catch (_) {
      details = {};
    }
    return { code: error.code, message: String(error.message), details };
  }
  return {
    code: SPLIT_CODES.protocol,
    message: `The Worker failed unexpectedly (${error && error.name ? String(error.name) : typeof error}); see the Worker's log.`,
    details: {},
  };
}
