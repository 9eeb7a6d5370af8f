// The plain-JS implementation users would otherwise write: the same host call, token
// validation and forwarding as the bridge, without WebAssembly. The benchmark runs it side
// by side with the bridge.

const MAX_TOKEN = 4096;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function validToken(raw) {
  return typeof raw === 'string' && raw.length > 0 && raw.length <= MAX_TOKEN && !CONTROL.test(raw) && raw.trim() === raw;
}

function callHost(host, api, options = {}) {
  return new Promise((resolve, reject) => {
    const returned = host[api]({ ...options, success: resolve, fail: reject });
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
  });
}

/** askPhoneNumber in plain JS: call the host, validate, build the consent. */
export async function askPhoneNumber(host) {
  const res = await callHost(host, 'getPhoneNumber');
  const token = typeof res === 'string' ? res : res && (res.code ?? res.token ?? res.data_token ?? res.dataToken);
  if (!validToken(token)) throw Object.assign(new Error('invalid result'), { code: 'INVALID_RESULT' });
  const obtainedAt = Date.now();
  return { kind: 'phoneNumber', token, obtainedAt, expiresAt: obtainedAt + 120000 };
}

const used = new Set();

/** getPhoneNumber in plain JS: ask, then POST through host.request once. */
export async function getPhoneNumber(host, backend) {
  const consent = await askPhoneNumber(host);
  if (used.has(consent.token)) throw Object.assign(new Error('used'), { code: 'TOKEN_ALREADY_USED' });
  const res = await new Promise((resolve, reject) =>
    host.request({
      url: `${backend}/consent/phone-number`,
      method: 'POST',
      header: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      data: JSON.stringify({ dataToken: consent.token, obtainedAt: consent.obtainedAt }),
      dataType: 'text',
      success: resolve,
      fail: reject,
    }),
  );
  if (res.statusCode < 200 || res.statusCode >= 300) throw Object.assign(new Error('rejected'), { code: 'BACKEND_REJECTED' });
  const body = JSON.parse(res.data);
  used.add(consent.token);
  return body;
}
