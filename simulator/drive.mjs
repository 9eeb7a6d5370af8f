// Drives the simulator through every flow in headless Chromium, choosing in each host modal
// like a person would, and checks what the page reports. Used by `scripts/demo --headless`
// (prints the transcript) and by the simulator test suite (adds backend checks).
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The scripted pass: [flow button, choices in the modals, fields to set first, expected outcome].
 * Choices are `choice-<id>` buttons, or [testid, value] pairs for selects and checkboxes.
 */
export const SCRIPT = [
  ['phone', ['allow'], {}, 'ok'],
  ['phone', ['deny'], {}, 'USER_DENIED'],
  ['phone', ['close'], {}, 'USER_DENIED'],
  ['phone', ['ignore'], { timeout: '400' }, 'HOST_TIMEOUT'],
  ['phone-button', ['allow'], { timeout: '5000' }, 'ok'],
  ['phone-button', ['deny'], {}, 'USER_DENIED'],
  ['open-id', ['allow'], {}, 'ok'],
  ['open-id', ['deny'], {}, 'USER_DENIED'],
  ['email', ['allow'], {}, 'ok'],
  ['email', ['close'], {}, 'USER_DENIED'],
  ['subscribe', [['template-tmpl-order-shipped', 'accept'], ['template-tmpl-price-alert', 'reject'], 'confirm'], { templates: 'tmpl-order-shipped, tmpl-price-alert' }, 'ok'],
  ['subscribe', [['template-tmpl-order-shipped', 'ban'], ['template-tmpl-price-alert', 'filter'], 'confirm'], {}, 'ok'],
  ['subscribe', ['close'], {}, 'USER_DENIED'],
  ['auth-code', ['authorize'], { scopes: 'auth_user' }, 'ok'],
  ['auth-code', [['scope-USER_AVATAR', false], 'authorize'], { scopes: 'USER_ID, USER_AVATAR' }, 'SCOPE_NOT_GRANTED'],
  ['auth-code', ['cancel'], { scopes: 'auth_base' }, 'USER_DENIED'],
  ['authorize', ['allow', 'share'], {}, 'ok'],
  ['authorize', ['deny'], {}, 'USER_DENIED'],
  ['profile', ['share'], {}, 'ok'],
  ['profile', ['40006'], {}, 'HOST_ERROR'],
  ['profile', ['40003'], {}, 'SCOPE_NOT_GRANTED'],
  ['profile', ['cancel'], {}, 'USER_DENIED'],
];

/**
 * With a Binance Open Service simulator (`binance`), the tokens come from it and the backend
 * exchanges them: each accepted data flow must answer the decrypted (masked) value, and the
 * merchant sends a test message with the stored push token, then finds none left.
 */
export const BINANCE_CHECKS = {
  phone: (a) => typeof a?.phoneNumber === 'string' && a.phoneNumber.includes('*'),
  'phone-button': (a) => typeof a?.phoneNumber === 'string' && a.phoneNumber.includes('*'),
  'open-id': (a) => typeof a?.openId === 'string' && a.openId.startsWith('oid-'),
  email: (a) => typeof a?.email === 'string' && a.email.includes('***@'),
};
export const BINANCE_SCRIPT = [
  ['send', [], { templates: 'tmpl-order-shipped' }, 'ok', (a) => a?.outcome === 'sent'],
  ['send', [], {}, 'ok', (a) => a?.status === 404 && a?.code === 'NO_PUSH_TOKEN'],
];

/**
 * With an Alipay+ gateway simulator (`alipayplus`), auth codes come from it and the backend
 * exchanges them (applyToken, inquiryUserInfo): the page gets a session id and the public
 * profile, never a token.
 */
export const ALIPAYPLUS_CHECKS = {
  'auth-code': (a) =>
    typeof a?.session === 'string' && a.session.length === 43 && typeof a?.user?.userId === 'string' && !/accessToken|refreshToken/.test(JSON.stringify(a)),
};

const masked = (a) => typeof a?.phoneNumber === 'string' && a.phoneNumber.includes('*');
/**
 * With a WeChat API simulator (`wechat`): wx.login's code gives a session (never the
 * session_key), the same code from another bridge is refused by the backend (409), the
 * phone buttons' codes give a masked number, denial and the 1400001 quota are typed
 * errors, accepted templates become grants the merchant spends on one send each (the
 * simulator records the message; a second send has no grant), and 20004 is a denial.
 * Checks get (answer, record).
 */
export const WECHAT_SCRIPT = [
  ['wx-login', [], {}, 'ok', (a) => typeof a?.session === 'string' && a.session.length === 43 && typeof a?.openid === 'string' && !/session_key/.test(JSON.stringify(a))],
  ['wx-login-replay', [], {}, 'BACKEND_REJECTED', (a, r) => r.details?.status === 409 && r.details?.backendCode === 'TOKEN_ALREADY_USED'],
  ['wx-send', [], { 'wx-templates': 'TPL_ORDER_SHIPPED, TPL_PROMO' }, 'ok', (a) => a?.status === 404 && a?.code === 'NOT_SUBSCRIBED'],
  ['wx-phone', ['allow'], {}, 'ok', masked],
  ['wx-phone', ['deny'], {}, 'USER_DENIED'],
  ['wx-phone', ['quota'], {}, 'QUOTA_EXCEEDED', (a, r) => r.details?.hostCode === '1400001'],
  ['wx-realtime-phone', ['allow'], {}, 'ok', masked],
  ['wx-subscribe', [['wx-template-TPL_ORDER_SHIPPED', 'accept'], ['wx-template-TPL_PROMO', 'reject'], 'allow'], {}, 'ok',
    (a) => a?.forwarded?.join() === 'TPL_ORDER_SHIPPED' && a?.rejected?.[0]?.reason === 'reject' && a?.response?.recorded === 1],
  ['wx-subscribe', ['cancel'], {}, 'ok', (a) => a?.accepted?.length === 0 && a?.response === null],
  ['wx-subscribe', ['off'], {}, 'USER_DENIED', (a, r) => r.details?.hostCode === '20004'],
  ['wx-send', [], {}, 'ok', (a) => a?.outcome === 'sent' && a.delivered.includes(a.msgid)],
  ['wx-send', [], {}, 'ok', (a) => a?.status === 404 && a?.code === 'NOT_SUBSCRIBED'],
];

/** Opens the simulator at `url` and runs SCRIPT (and the platform rows it has simulators for); returns the transcript and each result. */
export async function drive({ url, backend, screenshots, binance, adminKey, alipayplus, wechat }) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const results = [];
  const pageErrors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const sims = Object.entries({ binance, alipayplus, wechat }).filter(([, v]) => v);
    const admin = binance || wechat ? [['admin', adminKey || '']] : [];
    const query = [['backend', backend], ...sims, ...admin].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    await page.goto(`${url}?${query}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    if (screenshots) mkdirSync(screenshots, { recursive: true });
    const transcript = [];
    const modalsShown = new Set();
    const script = [...SCRIPT, ...(binance ? BINANCE_SCRIPT : []), ...(wechat ? WECHAT_SCRIPT : [])];
    for (const [index, [flow, choices, fields, expected, check]] of script.entries()) {
      await page.locator('#clear').click();
      for (const [field, value] of Object.entries(fields)) await page.getByTestId(field).fill(value);
      const before = await page.evaluate(() => window.__flows.length);
      await page.getByTestId(`flow-${flow}`).click();
      for (const choice of choices) {
        await page.getByTestId('modal').waitFor({ state: 'visible', timeout: 10_000 });
        const title = await page.locator('#modal-title').textContent();
        if (screenshots && !modalsShown.has(title)) {
          modalsShown.add(title);
          await page.screenshot({ path: join(screenshots, `modal-${modalsShown.size}-${flow}.png`) });
        }
        if (Array.isArray(choice)) {
          const [testid, value] = choice;
          const control = page.getByTestId(testid);
          if (typeof value === 'boolean') await control.setChecked(value);
          else await control.selectOption(value);
        } else {
          await page.getByTestId(`choice-${choice}`).click();
        }
      }
      await page.waitForFunction((n) => window.__flows.length > n, before, { timeout: 20_000 });
      const record = await page.evaluate((n) => window.__flows[n], before);
      const answerCheck =
        check || (record.outcome === 'ok' ? (binance && BINANCE_CHECKS[flow]) || (alipayplus && ALIPAYPLUS_CHECKS[flow]) || undefined : undefined);
      const answered = !answerCheck || Boolean(answerCheck(record.answer, record));
      results.push({ ...record, name: record.flow, flow, choices, expected, passed: record.outcome === expected && answered, answered });
      if (screenshots) await page.screenshot({ path: join(screenshots, `${String(index + 1).padStart(2, '0')}-${flow}-${record.outcome}.png`), fullPage: true });
      transcript.push(
        ...(await page.evaluate(() =>
          [...document.querySelectorAll('#log li')].map((li) => `${li.dataset.step.padEnd(12)} ${li.querySelector('code').textContent}`),
        )),
      );
    }
    return { results, transcript, pageErrors };
  } finally {
    await browser.close();
  }
}

// As a script: node simulator/drive.mjs <simulator url> <backend url> [screenshot dir]
// [Binance Open Service simulator url or ''] [Alipay+ gateway simulator url or '']
// [WeChat API simulator url] (the admin key comes from MPCB_ADMIN_KEY)
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  const [url, backend, screenshots, binance, alipayplus, wechat] = process.argv.slice(2);
  const { results, transcript, pageErrors } = await drive({ url, backend, screenshots, binance, alipayplus, wechat, adminKey: process.env.MPCB_ADMIN_KEY });
  for (const line of transcript) console.log(line);
  console.log('');
  for (const r of results) {
    const choices = r.choices.map((c) => (Array.isArray(c) ? c.join('=') : c)).join(', ');
    console.log(`${r.passed ? 'ok    ' : 'FAILED'} ${r.flow.padEnd(17)} ${choices.padEnd(62)} -> ${r.outcome}${r.passed ? '' : r.answered === false ? ' (the answer is not what the platform should give)' : ` (expected ${r.expected})`}`);
  }
  for (const e of pageErrors) console.log(`page error: ${e}`);
  const failed = results.filter((r) => !r.passed).length + pageErrors.length;
  console.log(`simulator: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
