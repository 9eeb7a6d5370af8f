// Type-checked by split.test.mjs (tsc --strict): the split-mode declarations, used and misused.
import { createSplitPage, BridgeError, type SplitErrorCode } from '../../pkg/miniprogram/split-page';
import { serveSplit } from '../../pkg/miniprogram/split-worker';
declare const my: object;
declare const worker: { postMessage(m: object): void; onMessage(l: (m: any) => void): void };
const page = createSplitPage({ host: my, worker, onProtocolError: (e: BridgeError) => console.log(e.code) });
page.askAuthCode(['auth_user']).then((c) => c.authCode.toUpperCase());
page.askSubscribe(['t']).then((o) => o.accepted.map((a) => a.pushToken));
page.getOpenUserInfo().catch((e: BridgeError) => { const code: SplitErrorCode = e.code; return code; });
serveSplit({ worker, load: { path: '/workers/mp_consent_bridge.wasm.br' }, bridge: { backend: 'https://api.example.com', timeoutMs: 5000 } }).ready.then(() => page.dispose());
// @ts-expect-error the Worker supplies the host
serveSplit({ worker, bridge: { host: my } });
// @ts-expect-error scopes are strings
page.askAuthCode([1]);
