// The host simulator: plays the Binance `bn`, Alipay `my` and WeChat `wx` hosts with consent modals,
// runs each flow through the BUILT package (web target), and logs every step: the host
// call, the host's raw answer, the validation verdict, the request forwarded (through the
// simulated host's request API) and the backend's answer, or the BridgeError. Tokens are
// shown redacted. Results also land on window.__flows for the automated pass.
import init, { BridgeError, ConsentBridge } from '/pkg/web/mp_consent_bridge.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('backend').value = params.get('backend') || `${location.protocol}//${location.hostname}:8787`;
window.__flows = [];
// With `?binance=<Binance Open Service simulator URL>` the data and push tokens come from
// that simulator (so the backend can exchange them), and the merchant panel appears.
const binance = params.get('binance');
const adminKey = params.get('admin') || '';
// With `?alipayplus=<Alipay+ gateway simulator URL>` my.getAuthCode's codes come from that
// simulator (so the backend can exchange them with applyToken).
const alipayplus = params.get('alipayplus');
// With `?wechat=<WeChat API simulator URL>` wx.login's and the phone buttons' codes come
// from that simulator, the subscription verdicts are reported to it (so the backend's
// code2Session, phone exchange and send work), and the WeChat merchant panel appears.
const wechat = params.get('wechat');
const DEMO_USER = 'demo-user';
// Not DEMO_USER: scripts/wechat-demo.mjs signs `demo-user` in on the same simulator.
const WX_USER = 'sim-page-user';

// Openids and unionids are not secrets, but they identify a person: shown shortened too.
const SECRET_KEYS = new Set(['code', 'token', 'data_token', 'dataToken', 'pushToken', 'authCode', 'loginCode', 'session', 'openid', 'unionid', 'touser']);
// In the backend's answers `code` is an error code (TOKEN_ALREADY_USED), never a token.
const BACKEND_SECRET_KEYS = new Set([...SECRET_KEYS].filter((k) => k !== 'code'));
const redactValue = (v) => (typeof v === 'string' && v.length > 0 ? `${v.slice(0, 6)}…(${v.length} chars)` : v);
function redact(value, keys = SECRET_KEYS) {
  if (Array.isArray(value)) return value.map((v) => redact(v, keys));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keys.has(k) ? redactValue(v) : redact(v, keys)]));
  }
  return value;
}
function redactJsonText(text, keys = SECRET_KEYS) {
  try {
    return JSON.stringify(redact(JSON.parse(text), keys));
  } catch {
    return text;
  }
}

function log(step, text, kind = '') {
  const li = document.createElement('li');
  li.className = kind;
  li.dataset.step = step;
  const label = document.createElement('span');
  label.className = 'step';
  label.textContent = step;
  const body = document.createElement('code');
  body.textContent = typeof text === 'string' ? text : JSON.stringify(text);
  li.append(label, body);
  $('log').append(li);
  li.scrollIntoView({ block: 'nearest' });
}
$('clear').onclick = () => ($('log').textContent = '');

let tokenSerial = 0;
const newToken = (prefix) => `${prefix}.${Date.now().toString(36)}.${(tokenSerial += 1)}.${Math.random().toString(36).slice(2, 12)}`;

/** Shows a modal and resolves with the id of the action clicked. */
function modal(title, actions, fill) {
  $('modal-title').textContent = title;
  const body = $('modal-body');
  body.textContent = '';
  if (fill) fill(body);
  const row = $('modal-actions');
  row.textContent = '';
  $('modal').hidden = false;
  return new Promise((resolve) => {
    for (const [id, label, primary] of actions) {
      const button = document.createElement('button');
      button.textContent = label;
      button.dataset.testid = `choice-${id}`;
      if (primary) button.className = 'primary';
      button.onclick = () => {
        $('modal').hidden = true;
        resolve(id);
      };
      row.append(button);
    }
  });
}

const DATA_CHOICES = [['allow', 'Allow', true], ['deny', 'Deny'], ['close', 'Close'], ['ignore', 'Ignore (host never answers)']];

/** Answers a callback-style host API after the user's choice, logging the raw answer. */
function answer(options, outcome, value) {
  log('host answer', `${outcome}(${JSON.stringify(redact(value))})`);
  const callback = options && options[outcome];
  if (typeof callback === 'function') callback(value);
  if (options && typeof options.complete === 'function') options.complete(value);
}

/** The host request API: real HTTP with fetch, answered in the host's documented shape. */
function hostRequest(shape) {
  return (options) => {
    const headers = options.header || options.headers || {};
    const shown = Object.entries(headers).map(([k, v]) => (k === 'Idempotency-Key' || k === 'Content-Type' ? `${k}: ${v}` : `${k}: …`));
    log('request', `POST ${options.url}\n${shown.join('\n')}\n${redactJsonText(options.data)}`);
    const controller = new AbortController();
    fetch(options.url, { method: 'POST', headers, body: options.data, signal: controller.signal })
      .then(async (res) => {
        const data = await res.text();
        log('backend', `${res.status} ${redactJsonText(data, BACKEND_SECRET_KEYS)}`, res.ok ? 'ok' : 'error');
        const header = Object.fromEntries(res.headers.entries());
        if (shape === 'my' && res.status >= 400) options.fail({ error: 19, errorMessage: 'http status error', status: res.status, data, headers: header });
        else if (shape === 'my') options.success({ data, status: res.status, headers: header });
        else options.success({ data, header, statusCode: res.status, errMsg: 'request:ok' });
      })
      .catch((e) => {
        log('backend', `no answer: ${e.message}`, 'error');
        if (shape === 'my') options.fail({ error: 12, errorMessage: e.message });
        else if (shape === 'wx') options.fail({ errMsg: `request:fail ${e.message}`, errno: 600001 });
        else options.fail({ errMsg: `request:fail ${e.message}` });
      });
    return { abort: () => controller.abort() };
  };
}

/** POSTs JSON to the Binance Open Service simulator's control routes. */
async function platform(path, body) {
  const res = await fetch(`${binance}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`the platform simulator answered ${res.status}`);
  return res.json();
}

/** A data token: issued by the platform simulator when there is one, made up otherwise. */
async function dataToken(kind, prefix) {
  if (!binance) return newToken(prefix);
  const { dataToken: token } = await platform('/__sim/data-token', { userId: DEMO_USER, kind });
  log('platform', `Binance Open Service issued a ${kind} data token (2 minutes, single use)`);
  return token;
}

const KINDS = { getPhoneNumber: 'phoneNumber', getOpenId: 'openId', getEmailAddress: 'email' };

function dataApi(api, prefix, what) {
  return (options) => {
    log('host call', `bn.${api}()`);
    modal(`Allow this mini program to get your ${what}?`, DATA_CHOICES).then((choice) => {
      if (choice === 'allow') {
        dataToken(KINDS[api], prefix).then(
          (code) => answer(options, 'success', { code }),
          (e) => answer(options, 'fail', { errMsg: `${api}:fail ${e.message}` }),
        );
      }
      else if (choice === 'deny') answer(options, 'fail', { errMsg: `${api}:fail user deny` });
      else if (choice === 'close') answer(options, 'fail', { errMsg: `${api}:fail cancel` });
      else log('host answer', 'none: the host ignores the call');
    });
  };
}

const bn = {
  getPhoneNumber: dataApi('getPhoneNumber', 'phone', 'phone number'),
  getOpenId: dataApi('getOpenId', 'openid', 'open id'),
  getEmailAddress: dataApi('getEmailAddress', 'email', 'email address'),
  requestSubscribeMessage(options) {
    const ids = options.tmplIds || [];
    log('host call', `bn.requestSubscribeMessage(${JSON.stringify({ tmplIds: ids })})`);
    const selects = {};
    modal('Receive these messages?', [['confirm', 'Confirm', true], ['close', 'Close']], (body) => {
      for (const id of ids) {
        const label = document.createElement('label');
        label.textContent = id;
        const select = document.createElement('select');
        select.dataset.testid = `template-${id}`;
        for (const type of ['accept', 'reject', 'ban', 'filter']) select.append(new Option(type, type));
        selects[id] = select;
        label.append(select);
        body.append(label);
      }
    }).then((choice) => {
      if (choice === 'close') return answer(options, 'fail', { errMsg: 'requestSubscribeMessage:fail cancel' });
      const result = { errMsg: 'requestSubscribeMessage:ok' };
      const accepted = ids.filter((id) => selects[id].value === 'accept');
      const issue = binance && accepted.length > 0 ? platform('/__sim/subscribe', { userId: DEMO_USER, templateIds: accepted }) : Promise.resolve(null);
      issue.then(
        (issued) => {
          if (issued) log('platform', `Binance Open Service issued ${accepted.length} push token(s) (7 days, single use)`);
          for (const id of ids) {
            const type = selects[id].value;
            result[id] = type === 'accept' ? { type, token: issued ? issued[id].token : newToken('push') } : { type };
          }
          answer(options, 'success', result);
        },
        (e) => answer(options, 'fail', { errMsg: `requestSubscribeMessage:fail ${e.message}` }),
      );
    });
  },
  request: hostRequest('bn'),
};

const my = {
  getAuthCode(options) {
    const scopes = options.scopes || [];
    log('host call', `my.getAuthCode(${JSON.stringify({ scopes })})`);
    const boxes = {};
    modal('Authorize this mini program?', [['authorize', 'Authorize', true], ['cancel', 'Cancel']], (body) => {
      for (const scope of scopes) {
        const label = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = true;
        box.dataset.testid = `scope-${scope}`;
        boxes[scope] = box;
        label.append(box, ` ${scope}`);
        body.append(label);
      }
    }).then((choice) => {
      if (choice === 'cancel') return answer(options, 'fail', { error: 11, errorMessage: '用户取消授权' });
      const granted = scopes.filter((s) => boxes[s].checked);
      const refused = Object.fromEntries(scopes.filter((s) => !boxes[s].checked).map((s) => [s, '40006']));
      if (!alipayplus || granted.length === 0) {
        return answer(options, 'success', { authCode: newToken('authcode'), authSuccessScopes: granted, authErrorScopes: refused });
      }
      fetch(`${alipayplus}/sim/auth-code`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ scopes: granted, declined: Object.keys(refused) }),
      })
        .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`the gateway simulator answered ${res.status}`))))
        .then((issued) => {
          log('platform', 'Alipay+ issued an auth code (single use, 10 minutes)');
          answer(options, 'success', issued);
        })
        .catch((e) => answer(options, 'fail', { error: 12, errorMessage: e.message }));
    });
  },
  getOpenUserInfo(options) {
    log('host call', 'my.getOpenUserInfo()');
    let nick;
    modal(
      'Profile answer (as the host would return it)',
      [['share', 'Share profile', true], ['40006', '40006: feature not added'], ['40003', '40003: not authorized'], ['cancel', 'Cancel']],
      (body) => {
        const label = document.createElement('label');
        label.textContent = 'nickName';
        nick = document.createElement('input');
        nick.type = 'text';
        nick.value = '小明';
        nick.dataset.testid = 'nickname';
        label.append(nick);
        body.append(label);
      },
    ).then((choice) => {
      const inner = {
        share: { code: '10000', msg: 'Success', avatar: 'https://tfs.alipayobjects.com/images/partner/sim.png', nickName: nick.value, gender: '', countryCode: '', province: '', city: '' },
        40006: { code: '40006', msg: 'Insufficient Permissions', subCode: 'isv.insufficient-isv-permissions', subMsg: 'ISV权限不足' },
        40003: { code: '40003', msg: 'Insufficient Conditions', subCode: 'isv.invalid-auth-relations', subMsg: '无效的授权关系' },
      }[choice];
      if (!inner) return answer(options, 'fail', { error: 11, errorMessage: '用户取消授权' });
      answer(options, 'success', { response: JSON.stringify({ response: inner }) });
    });
  },
  request: hostRequest('my'),
};

/** POSTs JSON to the WeChat API simulator's control routes (server/src/wechat/simulator). */
async function wechatSim(path, body) {
  const res = await fetch(`${wechat}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`the WeChat simulator answered ${res.status}`);
  return res.json();
}

/** A phone button's code: issued by the WeChat simulator when there is one, made up otherwise. */
async function wxPhoneCode() {
  if (!wechat) return newToken('wxphone');
  const { code } = await wechatSim('/__sim/phone-code', { user: WX_USER });
  log('platform', 'WeChat issued a phone-number code (5 minutes, single use)');
  return code;
}

// WeChat's documented verdicts per template; "Cancel" answers success with every template
// 'reject' (developers.weixin.qq.com community thread 000446e4588568aeb05ac9f0c54c00), and
// 20004 is the failure when the user switched all subscription messages off (no panel shown).
const wx = {
  login(options) {
    log('host call', 'wx.login()');
    // wx.login shows no prompt: the code comes at once.
    if (!wechat) return answer(options, 'success', { code: newToken('wxlogin'), errMsg: 'login:ok' });
    wechatSim('/__sim/login-code', { user: WX_USER }).then(
      ({ code, errMsg }) => {
        log('platform', 'WeChat issued a login code (5 minutes, single use)');
        answer(options, 'success', { code, errMsg });
      },
      (e) => answer(options, 'fail', { errMsg: `login:fail ${e.message}` }),
    );
  },
  requestSubscribeMessage(options) {
    const ids = options.tmplIds || [];
    log('host call', `wx.requestSubscribeMessage(${JSON.stringify({ tmplIds: ids })})`);
    const selects = {};
    const actions = [['allow', 'Allow', true], ['cancel', 'Cancel'], ['off', 'Host: all switched off in settings (20004, no panel)']];
    modal('Receive these WeChat messages?', actions, (body) => {
      for (const id of ids) {
        const label = document.createElement('label');
        label.textContent = id;
        const select = document.createElement('select');
        select.dataset.testid = `wx-template-${id}`;
        for (const type of ['accept', 'reject', 'ban', 'filter']) select.append(new Option(type, type));
        selects[id] = select;
        label.append(select);
        body.append(label);
      }
    }).then((choice) => {
      if (choice === 'off') return answer(options, 'fail', { errMsg: 'requestSubscribeMessage:fail user switched off all subscription messages', errCode: 20004 });
      const verdicts = Object.fromEntries(ids.map((id) => [id, choice === 'cancel' ? 'reject' : selects[id].value]));
      if (!wechat || ids.length === 0) return answer(options, 'success', { errMsg: 'requestSubscribeMessage:ok', ...verdicts });
      // The simulator records each accept (one send each) and answers WeChat's success shape.
      wechatSim('/__sim/subscribe', { user: WX_USER, verdicts }).then(
        (result) => {
          log('platform', `WeChat recorded ${Object.values(verdicts).filter((v) => v === 'accept').length} accept(s) (one message each)`);
          answer(options, 'success', result);
        },
        (e) => answer(options, 'fail', { errMsg: `requestSubscribeMessage:fail ${e.message}`, errCode: 10003 }),
      );
    });
  },
  request: hostRequest('wx'),
};

// The WeChat page's merchant session (from the login answer): sent as X-Mpcb-Session.
let wxSession = null;
let wxOpenid = null;
// The last login consent, for the replay flow.
let lastLogin = null;

function bridgeFor(host) {
  const options = { host, backend: $('backend').value, transport: 'host', hostTimeoutMs: Number($('timeout').value) || 5000 };
  if (host === wx) Object.assign(options, { platform: 'wechat', headers: () => (wxSession ? { 'X-Mpcb-Session': wxSession } : {}) });
  return new ConsentBridge(options);
}

/** Runs one flow: `start` must call the bridge synchronously (inside the click). */
async function runFlow(name, start) {
  log('flow', name, 'flow');
  const record = { flow: name, secrets: [] };
  try {
    record.answer = await start(record);
    record.outcome = 'ok';
    log('done', 'the flow completed', 'ok');
  } catch (e) {
    record.outcome = e instanceof BridgeError ? e.code : `UNEXPECTED ${e && e.name}`;
    record.message = e && e.message;
    record.details = e && e.details;
    log('error', `${e && e.name} ${e && e.code}: ${e && e.message}\ndetails ${JSON.stringify(e && e.details)}`, 'error');
  }
  window.__flows.push(record);
  $('status').textContent = `${window.__flows.length} flow(s) run`;
}

function verdict(record, consent) {
  log('verdict', JSON.stringify(redact(consent)), 'ok');
  for (const key of ['token', 'authCode', 'loginCode']) if (consent[key]) record.secrets.push(consent[key]);
  // Binance's accepted entries carry push tokens; WeChat's and Alipay's are bare template ids.
  for (const push of consent.accepted || []) if (typeof push?.pushToken === 'string') record.secrets.push(push.pushToken);
}

/** A Binance data flow: ask, show the verdict, forward the consent. */
const dataFlow = (label, ask) => (b) =>
  runFlow(label, async (r) => {
    const consent = await ask(b(bn));
    verdict(r, consent);
    return b.last.forward(consent);
  });

const flows = {
  phone: dataFlow('phone number (bn.getPhoneNumber)', (bridge) => bridge.askPhoneNumber()),
  'open-id': dataFlow('open id (bn.getOpenId)', (bridge) => bridge.askOpenId()),
  email: dataFlow('email (bn.getEmailAddress)', (bridge) => bridge.askEmailAddress()),
  subscribe: (b) => runFlow('subscriptions (bn.requestSubscribeMessage)', async (r) => {
    const ids = $('templates').value.split(',').map((s) => s.trim()).filter(Boolean);
    const outcome = await b(bn).askSubscribe(ids);
    verdict(r, outcome);
    if (outcome.accepted.length === 0) {
      log('forward', 'nothing accepted, nothing sent');
      return null;
    }
    return b.last.forward(outcome);
  }),
  'phone-button': (b) => runFlow('phone number button (onGetphonenumber)', async (r) => {
    const choice = await modal('Allow this mini program to get your phone number?', [['allow', 'Allow', true], ['deny', 'Deny']]);
    const event = choice === 'allow'
      ? { type: 'getphonenumber', detail: { code: await dataToken('phoneNumber', 'btn'), errMsg: 'getPhoneNumber:ok' } }
      : { type: 'getphonenumber', detail: { errMsg: 'getPhoneNumber:fail user deny' } };
    log('host answer', `event ${JSON.stringify(redact(event))}`);
    const consent = await b(bn).phoneNumberFromEvent(event);
    verdict(r, consent);
    return b.last.forward(consent);
  }),
  'auth-code': (b) => runFlow('auth code (my.getAuthCode)', async (r) => {
    const scopes = $('scopes').value.split(',').map((s) => s.trim()).filter(Boolean);
    const consent = await b(my).askAuthCode(scopes);
    verdict(r, consent);
    return b.last.forward(consent);
  }),
  authorize: (b) => runFlow('authorize button, then profile', async (r) => {
    const choice = await modal('Allow this mini program to use your profile?', [['allow', 'Allow', true], ['deny', 'Deny']]);
    const event = choice === 'allow' ? { type: 'getAuthorize', detail: {} } : { type: 'error', detail: { errorCode: 11, errorMessage: '用户取消授权' } };
    log('host answer', `${choice === 'allow' ? 'onGetAuthorize' : 'onError'} ${JSON.stringify(event)}`);
    const profile = await b(my).askOpenUserInfoFromEvent(event);
    verdict(r, profile);
    return b.last.forward(profile);
  }),
  profile: (b) => runFlow('profile (my.getOpenUserInfo)', async (r) => {
    const profile = await b(my).askOpenUserInfo();
    verdict(r, profile);
    return b.last.forward(profile);
  }),
  'wx-login': (b) => runFlow('login (wx.login)', async (r) => {
    const consent = await b(wx).askLoginCode();
    verdict(r, consent);
    lastLogin = consent;
    const answer = await b.last.forward(consent);
    wxSession = typeof answer?.session === 'string' ? answer.session : null;
    wxOpenid = typeof answer?.openid === 'string' ? answer.openid : null;
    $('wx-session').textContent = wxSession ? `signed in as ${redactValue(wxOpenid)} (session kept by the page, sent as X-Mpcb-Session)` : 'no session: the backend has no WeChat credentials';
    log('session', $('wx-session').textContent, wxSession ? 'ok' : '');
    return answer;
  }),
  'wx-login-replay': (b) => runFlow('the last login code again, from another bridge', async () => {
    if (!lastLogin) throw new Error('run wx.login() first');
    // A new bridge has no record of this code, so only the backend can refuse it.
    log('forward', 'a new bridge forwards the last login code under a new idempotency key');
    return b(wx).forward(lastLogin);
  }),
  'wx-phone': (b) => runFlow('phone number button (bindgetphonenumber)', async (r) => {
    const event = await wxPhoneEvent('getphonenumber', 'getPhoneNumber');
    const consent = await b(wx).phoneNumberFromEvent(event);
    verdict(r, consent);
    return b.last.forward(consent);
  }),
  'wx-realtime-phone': (b) => runFlow('realtime phone number button, forwardPhoneNumberEvent', async (r) => {
    const event = await wxPhoneEvent('getrealtimephonenumber', 'getRealtimePhoneNumber');
    if (event.detail.code) r.secrets.push(event.detail.code);
    return b(wx).forwardPhoneNumberEvent(event);
  }),
  'wx-subscribe': (b) => runFlow('subscriptions (wx.requestSubscribeMessage)', async (r) => {
    const ids = $('wx-templates').value.split(',').map((s) => s.trim()).filter(Boolean);
    const outcome = await b(wx).requestSubscribeMessage(ids);
    verdict(r, outcome);
    if (outcome.forwarded.length === 0) log('forward', 'nothing accepted, nothing sent');
    return outcome;
  }),
};

/** The phone button: the host's own prompt, then the event the page's handler receives. */
async function wxPhoneEvent(type, api) {
  const choice = await modal('Allow this mini program to use your WeChat phone number?', [
    ['allow', 'Allow', true],
    ['deny', 'Deny'],
    ['quota', 'Host: quota used up (errno 1400001, no prompt)'],
  ]);
  const detail = {
    allow: async () => ({ errMsg: `${api}:ok`, code: await wxPhoneCode() }),
    deny: async () => ({ errMsg: `${api}:fail user deny` }),
    quota: async () => ({ errMsg: `${api}:fail no quota`, errno: 1400001 }),
  }[choice];
  const event = { type, detail: await detail() };
  log('host answer', `event ${JSON.stringify(redact(event))}`);
  return event;
}

/** The merchant's side: send a template message with a stored push token, show the inbox. */
async function sendTestMessage() {
  const template = $('templates').value.split(',').map((s) => s.trim()).filter(Boolean)[0] || 'tmpl-order-shipped';
  await runFlow('merchant: send a test message (sendPushMessage)', async () => {
    const body = { userId: DEMO_USER, templateId: template, language: 'en', path: 'pages/order/index?id=42', parameters: [{ name: 'order', value: '#42 shipped' }] };
    log('request', `POST ${$('backend').value}/merchant/binance/send\nAuthorization: Bearer …\n${JSON.stringify(body)}`);
    const res = await fetch(`${$('backend').value}/merchant/binance/send`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${adminKey}` },
      body: JSON.stringify(body),
    });
    const answerBody = await res.json();
    log('backend', `${res.status} ${JSON.stringify(answerBody)}`, res.ok ? 'ok' : 'error');
    await showInbox();
    return { status: res.status, ...answerBody };
  });
}

async function showInbox() {
  const messages = await (await fetch(`${binance}/__sim/inbox`)).json();
  const list = $('inbox');
  list.textContent = '';
  for (const m of messages) {
    const li = document.createElement('li');
    li.textContent = `${m.templateId} (${m.language}) → ${m.userId}: ${m.parameters.map((p) => `${p.name}=${p.value}`).join(', ')}`;
    list.append(li);
  }
  log('platform', `the simulated user's inbox holds ${messages.length} message(s)`);
}

if (binance) {
  $('merchant').hidden = false;
  $('send').onclick = () => sendTestMessage();
}

/** The merchant's side on WeChat: spend one grant of the signed-in user, show what WeChat sent. */
async function sendWechatMessage() {
  const template = $('wx-templates').value.split(',').map((s) => s.trim()).filter(Boolean)[0] || 'TPL_ORDER_SHIPPED';
  await runFlow('merchant: send a subscription message (subscribeMessage.send)', async () => {
    const body = { session: wxSession || '', templateId: template, page: 'pages/order/index?id=7', data: { thing1: { value: 'Order #7 shipped' } } };
    log('request', `POST ${$('backend').value}/merchant/wechat/send\nAuthorization: Bearer …\n${JSON.stringify(redact(body))}`);
    const res = await fetch(`${$('backend').value}/merchant/wechat/send`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${adminKey}` },
      body: JSON.stringify(body),
    });
    const answerBody = await res.json();
    log('backend', `${res.status} ${JSON.stringify(answerBody)}`, res.ok ? 'ok' : 'error');
    // msgid passes 2^53: read it as its source text (JSON.parse source access, Chromium 114+).
    const text = await (await fetch(`${wechat}/__sim/sent`)).text();
    const sent = JSON.parse(text, (k, v, context) => (k === 'msgid' ? context.source : v)).filter((m) => m.touser === wxOpenid);
    const list = $('wx-inbox');
    list.textContent = '';
    for (const m of sent) {
      const li = document.createElement('li');
      li.textContent = `${m.templateId} → ${redactValue(m.touser)}: ${Object.entries(m.data).map(([k, v]) => `${k}=${v.value}`).join(', ')}`;
      list.append(li);
    }
    log('platform', `WeChat sent ${sent.length} message(s) to this user`);
    return { status: res.status, ...answerBody, delivered: sent.map((m) => m.msgid) };
  });
}

if (wechat) {
  $('wx-merchant').hidden = false;
  $('wx-send').onclick = () => sendWechatMessage();
}

init().then(
  () => {
    $('status').textContent = 'ready: pick a flow';
    document.body.dataset.ready = 'true';
    for (const button of document.querySelectorAll('[data-flow]')) {
      button.onclick = () => {
        // A fresh bridge per flow, so the settings above apply; `b.last` is the one in use.
        const b = (host) => (b.last = bridgeFor(host));
        flows[button.dataset.flow](b);
      };
    }
  },
  (e) => ($('status').textContent = `the package failed to load: ${e.message}`),
);
