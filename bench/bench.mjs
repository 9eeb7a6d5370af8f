// The benchmark: weight, cold start, per-flow overhead against bench/baseline.mjs, and a
// soak, measured on the BUILT package and printed as one table. Run through bench/run
// (node --expose-gc). Timings are medians of many runs; nothing here is a test.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import * as baseline from './baseline.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = join(root, 'pkg');
const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const rows = [];
const row = (section, what, value, note = '') => rows.push([section, what, value, note]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// 1. Weight per target.
for (const target of ['bundler', 'web', 'node', 'miniprogram']) {
  const dir = join(pkg, target);
  // miniprogram/ ships the same module brotli-compressed (.wasm.br): measure the module.
  const wasmDir = target === 'miniprogram' ? join(pkg, 'web') : dir;
  const wasm = readFileSync(join(wasmDir, readdirSync(wasmDir).find((f) => f.endsWith('.wasm'))));
  // miniprogram/: the entry only (the split-mode halves have their own rows below).
  const glue = readdirSync(dir).filter((f) => f.endsWith('.js') && (target !== 'miniprogram' || f === 'index.js')).map((f) => readFileSync(join(dir, f)));
  const glueRaw = glue.reduce((n, b) => n + b.length, 0);
  const glueGzip = glue.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
  const wasmGzip = gzipSync(wasm, { level: 9 }).length;
  const wasmBrotli = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  row('weight', `${target}: wasm raw / gzip / brotli`, `${kb(wasm.length)} / ${kb(wasmGzip)} / ${kb(wasmBrotli)}`);
  row('weight', `${target}: js glue raw / gzip`, `${kb(glueRaw)} / ${kb(glueGzip)}`, `total gzip ${kb(wasmGzip + glueGzip)}`);
}

// In-package bytes per platform: what lands in the user's code package (files as shipped).
{
  const bytes = (...files) => files.reduce((n, f) => n + statSync(join(pkg, f)).size, 0);
  const folder = readdirSync(join(pkg, 'miniprogram')).map((f) => `miniprogram/${f}`);
  const core = ['miniprogram/index.js', 'miniprogram/mp_consent_bridge.wasm.br'];
  row('in-package', 'WeChat: the whole miniprogram/ folder (build npm)', kb(bytes(...folder)), `.wasm.br ${kb(bytes(core[1]))} of it`);
  row('in-package', 'Alipay: index.js + .wasm.br', kb(bytes(...core)));
  row('in-package', 'Alipay split mode: + split-page.js + split-worker.js', kb(bytes(...core, 'miniprogram/split-page.js', 'miniprogram/split-worker.js')));
  row('in-package', 'Binance / no brotli: index.js + plain .wasm', kb(bytes('miniprogram/index.js', 'web/mp_consent_bridge_bg.wasm')));
}

// The mini program entry loaded into a fresh context each time, so every load is cold.
const miniSource = readFileSync(join(pkg, 'miniprogram', 'index.js'), 'utf8');
const wasmBytes = readFileSync(join(pkg, 'web', 'mp_consent_bridge_bg.wasm'));
function freshEntry(extraGlobals = {}) {
  const context = vm.createContext({ console, setTimeout, clearTimeout, WebAssembly, TextEncoder, TextDecoder, ...extraGlobals });
  const module = { exports: {} };
  vm.runInContext(`(function (module, exports) {\n${miniSource}\n})`, context)(module, module.exports);
  return module.exports;
}

/** The module with a custom section naming the run appended: the same code, but bytes
 * V8 has not seen, so nothing compiled earlier is reused and each run is really cold. */
function distinct(bytes, run) {
  const name = Buffer.from(`bench-run-${run}`);
  return Buffer.concat([bytes, Buffer.from([0, name.length + 1, name.length]), name]);
}

// 2. Cold start: compile + instantiate + init, each run on bytes V8 has not seen.
{
  const runs = quick ? 10 : 60;
  const compile = [];
  const total = [];
  for (let i = 0; i < runs; i += 1) {
    let t = performance.now();
    await WebAssembly.compile(distinct(wasmBytes, `compile-${i}`));
    compile.push(performance.now() - t);
    const entry = freshEntry();
    const bytes = distinct(wasmBytes, `load-${i}`);
    t = performance.now();
    await entry.load({ bytes });
    total.push(performance.now() - t);
  }
  row('cold start', `node: compile only (median of ${runs})`, `${median(compile).toFixed(2)} ms`);
  row('cold start', `node: compile + instantiate + init (median of ${runs})`, `${median(total).toFixed(2)} ms`);
  row('cold start', 'chromium: compile + instantiate + init', `${(await chromiumColdStart(runs)).toFixed(2)} ms`, `median of ${runs}, headless`);
}

async function chromiumColdStart(runs) {
  const web = join(pkg, 'web');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const page = `<!doctype html><script type="module">
    const bytes = new Uint8Array(await (await fetch('./mp_consent_bridge_bg.wasm')).arrayBuffer());
    // Each run gets a custom section naming it, so the engine cannot reuse a compilation.
    const distinct = (i) => {
      const name = new TextEncoder().encode('bench-run-' + i);
      const out = new Uint8Array(bytes.length + 3 + name.length);
      out.set(bytes);
      out.set([0, name.length + 1, name.length], bytes.length);
      out.set(name, bytes.length + 3);
      return out;
    };
    const times = [];
    for (let i = 0; i < ${runs}; i += 1) {
      const glue = await import('./mp_consent_bridge.js?run=' + i);
      const input = distinct(i);
      const t = performance.now();
      await glue.default({ module_or_path: input });
      times.push(performance.now() - t);
    }
    window.__TIMES__ = times;
  </script>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    const file = normalize(join(web, path));
    if (!file.startsWith(web) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.__TIMES__ !== undefined, null, { timeout: 60_000 });
    return median(await tab.evaluate(() => window.__TIMES__));
  } finally {
    await browser.close();
    server.close();
  }
}

// Hosts that answer at once: consent through a synchronous success callback, and a
// request API that answers 200 synchronously (the host transport, no network).
let serial = 0;
function instantHost({ fail = false } = {}) {
  return {
    getPhoneNumber(o) {
      serial += 1;
      if (fail) o.fail({ errMsg: 'getPhoneNumber:fail user deny' });
      else o.success({ code: `bench-token-${serial}` });
    },
    request(o) {
      o.success({ statusCode: 200, data: '{"ok":true}', header: {} });
      return { abort() {} };
    },
  };
}

// 3. Per-flow overhead, bridge and baseline side by side.
{
  const { load, ConsentBridge } = require(join(pkg, 'miniprogram', 'index.js'));
  await load({ bytes: wasmBytes });
  const n = quick ? 2000 : 20000;
  const rounds = quick ? 3 : 7;
  const host = instantHost();
  const bridge = new ConsentBridge({ host, backend: 'https://bench.example', transport: 'host' });
  const measure = async (fn) => {
    const perRound = [];
    for (let r = 0; r < rounds; r += 1) {
      const t = performance.now();
      for (let i = 0; i < n; i += 1) await fn();
      perRound.push(((performance.now() - t) * 1000) / n);
    }
    return median(perRound);
  };
  await measure(() => bridge.askPhoneNumber()); // warm-up
  const pairs = [
    ['consent flow (askPhoneNumber)', () => bridge.askPhoneNumber(), () => baseline.askPhoneNumber(host)],
    ['ask + forward (getPhoneNumber, host transport)', () => bridge.getPhoneNumber(), () => baseline.getPhoneNumber(host, 'https://bench.example')],
  ];
  for (const [what, ours, theirs] of pairs) {
    const a = await measure(ours);
    const b = await measure(theirs);
    row('per flow', `${what}: bridge / plain JS`, `${a.toFixed(2)} µs / ${b.toFixed(2)} µs`, `ratio ${(a / b).toFixed(2)}x, median of ${rounds} x ${n}`);
  }
}

// 4. Soak: successes, denials, backend failures, abandoned requests (the host never
// answers; the 1 ms host timeout fires) and the hostile cases of the second hardening
// round (a backend answering 503 with a 4 MiB body, a host answer with a 4 MiB key),
// many bridges at once. The wasm memory must not grow past the warm-up.
{
  let armed = 0;
  const realSet = setTimeout;
  const realClear = clearTimeout;
  const live = new Set();
  const countingSet = (fn, ms, ...args) => {
    const id = realSet((...a) => {
      live.delete(id);
      fn(...a);
    }, ms, ...args);
    live.add(id);
    armed += 1;
    return id;
  };
  const countingClear = (id) => {
    live.delete(id);
    realClear(id);
  };
  const HOSTILE = 'x'.repeat(4 * 1024 * 1024);
  let instance;
  const entry = freshEntry({ setTimeout: countingSet, clearTimeout: countingClear });
  await entry.load({ instantiate: (path, imports) => WebAssembly.instantiate(wasmBytes, imports).then((r) => ((instance = r.instance), r)), path: 'x.wasm' });
  const retained = new FinalizationRegistry(() => (alive -= 1));
  let alive = 0;
  const watched = (host) =>
    new Proxy(host, {
      get(target, key) {
        const fn = target[key];
        if (typeof fn !== 'function' || key === 'request') return fn;
        return (o) => {
          for (const cb of [o.success, o.fail]) {
            alive += 1;
            retained.register(cb, null);
          }
          return fn.call(target, o);
        };
      },
    });
  const kinds = [
    () => ({ host: instantHost(), run: (b) => b.getPhoneNumber() }),
    () => ({ host: instantHost({ fail: true }), run: (b) => b.getPhoneNumber() }),
    () => ({ host: { ...instantHost(), request: (o) => (o.success({ statusCode: 500, data: '{"code":"X"}', header: {} }), { abort() {} }) }, run: (b) => b.getPhoneNumber() }),
    () => ({ host: { getPhoneNumber() {}, request() {} }, run: (b) => b.getPhoneNumber() }),
    () => ({ host: { ...instantHost(), request: (o) => (o.success({ statusCode: 503, data: HOSTILE, header: { 'Retry-After': '0' } }), { abort() {} }) }, run: (b) => b.getPhoneNumber() }),
    () => ({ host: { getPhoneNumber: (o) => o.success({ code: 'k', [HOSTILE]: 1 }), request() {} }, run: (b) => b.askPhoneNumber() }),
  ];
  const total = quick ? 24000 : 120000;
  const warmup = total / 10;
  const lanes = 200;
  const snapshot = async () => {
    for (let i = 0; i < 3; i += 1) {
      global.gc();
      await new Promise((r) => realSet(r, 20));
    }
    return {
      pages: instance.exports.memory.buffer.byteLength / 65536,
      heap: process.memoryUsage().heapUsed,
      table: instance.exports.__wbindgen_externrefs.length,
    };
  };
  let done = 0;
  let before;
  let inFlight = 0;
  let paused = null;
  const outcomes = {};
  // At the warm-up mark every lane stops and drains before the first snapshot, so "before"
  // and "after" are both taken with nothing in flight.
  const lane = async () => {
    while (done < total) {
      if (paused) await paused;
      const i = done;
      done += 1;
      if (i === warmup) {
        let release;
        paused = new Promise((r) => (release = r));
        while (inFlight > 0) await new Promise((r) => realSet(r, 5));
        before = await snapshot();
        paused = null;
        release();
      }
      const { host, run } = kinds[i % kinds.length]();
      const bridge = new entry.ConsentBridge({ host: watched(host), backend: 'https://bench.example', transport: 'host', hostTimeoutMs: 1, retries: 0 });
      inFlight += 1;
      const code = await run(bridge).then(() => 'OK', (e) => e.code);
      inFlight -= 1;
      outcomes[code] = (outcomes[code] || 0) + 1;
      bridge.free();
    }
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: lanes }, () => lane()));
  const seconds = (performance.now() - t) / 1000;
  const after = await snapshot();
  row('soak', `${total} flows in ${seconds.toFixed(1)} s`, Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(', '));
  row('soak', 'wasm memory pages: after warm-up -> end', `${before.pages} -> ${after.pages}`, after.pages > before.pages ? 'GREW' : 'flat');
  row('soak', 'JS heap: after warm-up -> end', `${kb(before.heap)} -> ${kb(after.heap)}`, after.heap > before.heap * 1.2 ? 'GREW' : 'flat (within 20%)');
  row('soak', 'externref table slots: after warm-up -> end', `${before.table} -> ${after.table}`, after.table > before.table ? 'GREW' : 'flat');
  row('soak', 'timers still armed / host callbacks still alive', `${live.size} / ${alive}`, `${armed} timers armed in all`);
}

// JavaScriptCore (Debian's jsc shell; iOS runs logic layers without JIT): each cold start
// is a fresh jsc process (evaluate the entry + load the wasm by path); per-flow times use
// instant mock hosts, so they are the bridge's own cost in this engine.
{
  const { buildDriver, runDriver } = await import('../tests/jsc/run.mjs');
  const driver = await buildDriver();
  for (const jit of [true, false]) {
    const label = jit ? 'JIT on' : 'JIT off (JSC_useJIT=false)';
    const starts = [];
    let flows = [];
    for (let i = 0; i < (quick ? 3 : 7); i += 1) {
      const out = await runDriver(driver, ['bench', i === 0 ? (quick ? '200' : '1000') : '0', pkg], { jit });
      if (out.FATAL || !out.START) throw new Error(`jsc bench failed: ${JSON.stringify(out.FATAL)} ${out.stderr}`);
      starts.push(out.START.totalMs);
      if (i === 0) flows = out.BENCH;
    }
    row('jsc', `${label}: cold start (evaluate entry + load wasm), median`, `${median(starts).toFixed(1)} ms`, `${starts.length} fresh processes`);
    for (const f of flows) row('jsc', `${label}: ${f.name}`, `${f.usPerFlow.toFixed(0)} µs/flow`, `${f.count} flows, instant mock host`);
  }
}

const width = [10, 56, 30];
console.log(['section', 'measure', 'value', 'note'].map((h, i) => h.padEnd(width[i] ?? 0)).join(' | '));
console.log(width.map((w) => '-'.repeat(w)).join('-|-') + '-|------');
for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(width[i] ?? 0)).join(' | '));
