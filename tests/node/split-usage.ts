// Type-checked by split.test.mjs (tsc --strict): the split-mode declarations, used and misused.
import { createSplitPage, BridgeError, type SplitErrorCode } from '../../pkg/miniprogram/split-page';
import { serveSplit } from '../../pkg/miniprogram/split-worker';
declare const my: object;
declare const worker: { postMessage(m: object): void; onMessage(l: (m: any) => void): void };
const page = createSplitPage({ host: my, worker, onProtocolError: (e: BridgeError) => console.log(e.code) });
page.askAuthCode(['auth_user']).then((c) => c.authCode.toUpperCase());
page.askSubscribe(['t']).then((o) => ('platform' in o ? o.accepted.map((id) => id.length) : o.accepted.map((a) => a.pushToken.length)));
page.askLoginCode().then((c) => page.forward(c)).then(() => page.login());
createSplitPage({ host: {}, worker, platform: 'wechat', maxTemplatesPerCall: 5 });
// @ts-expect-error the platform is one of three names
createSplitPage({ host: my, worker, platform: 'line' });
// @ts-expect-error the page names the platform, not the Worker
serveSplit({ worker, bridge: { platform: 'alipay' } });
page.getOpenUserInfo().catch((e: BridgeError) => { const code: SplitErrorCode = e.code; return code; });
serveSplit({ worker, load: { path: '/workers/mp_consent_bridge.wasm.br' }, bridge: { backend: 'https://api.example.com', timeoutMs: 5000 } }).ready.then(() => page.dispose());
// @ts-expect-error the Worker supplies the host
serveSplit({ worker, bridge: { host: my } });
// @ts-expect-error scopes are strings
page.askAuthCode([1]);
