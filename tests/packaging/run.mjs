// Packaging suite: `npm pack` the built package, install the tarball into a throwaway
// consumer project, check what it holds, use it from Node (require and import) and from
// TypeScript (tsc --strict), bundle it with esbuild, webpack 5, rollup 4 and vite 7, and run each
// bundle in headless Chromium, where it must load the wasm and complete one flow against
// the reference backend. Prints node:test-style counts; exits non-zero on any failure.
import { execFileSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { installTools, pkgDir } from './tools.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const backend = process.env.MPCB_BACKEND;
const work = join(root, 'build', 'consumer');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const results = [];

async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push([name, false]);
    console.log(`not ok - ${name}\n  ${String(e && e.stack ? e.stack : e).split('\n').join('\n  ')}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });

let tarball;
await check('npm pack produces a tarball with every target, the types and the README', () => {
  assert(backend, 'MPCB_BACKEND must be set by scripts/test');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const out = run('npm', ['pack', pkgDir, '--pack-destination', work, '--json', '--loglevel=error']);
  const [info] = JSON.parse(out);
  tarball = join(work, info.filename);
  const files = info.files.map((f) => f.path);
  for (const needed of [
    'package.json', 'README.md',
    'bundler/mp_consent_bridge.js', 'bundler/mp_consent_bridge_bg.js', 'bundler/mp_consent_bridge_bg.wasm', 'bundler/mp_consent_bridge.d.ts',
    'web/mp_consent_bridge.js', 'web/mp_consent_bridge_bg.wasm', 'web/mp_consent_bridge.d.ts',
    'node/mp_consent_bridge.js', 'node/mp_consent_bridge_bg.wasm', 'node/mp_consent_bridge.d.ts',
    'testing/mock-hosts.js', 'testing/mock-hosts.d.ts',
    'miniprogram/index.js', 'miniprogram/index.d.ts', 'miniprogram/mp_consent_bridge.wasm.br',
  ]) assert(files.includes(needed), `tarball lacks ${needed}`);
  assert(!files.some((f) => f.endsWith('.gitignore')), 'tarball holds a .gitignore');
  console.log(`  ${info.filename}: ${info.files.length} files, ${info.size} B packed, ${info.unpackedSize} B unpacked`);
});

await check('the tarball installs into a fresh consumer project', () => {
  cpSync(join(root, 'tests', 'packaging', 'consumer'), work, { recursive: true });
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  run('npm', ['install', tarball, '--no-audit', '--no-fund', '--loglevel=error']);
  assert(existsSync(join(work, 'node_modules', 'mp-consent-bridge', 'package.json')), 'not installed');
});

await check('Node: require and import of the installed package run a flow', () => {
  const flow = `bridge.askPhoneNumber().then((c) => console.log(c.kind, typeof c.token))`;
  const setup = `const bridge = new ConsentBridge({ host: mockBinanceHost() });`;
  const cjs = run('node', ['-e', `const { ConsentBridge } = require('mp-consent-bridge'); const { mockBinanceHost } = require('mp-consent-bridge/testing'); ${setup} ${flow}`]);
  const esm = run('node', ['--input-type=module', '-e', `import { ConsentBridge } from 'mp-consent-bridge'; import { mockBinanceHost } from 'mp-consent-bridge/testing'; ${setup} ${flow}`]);
  assert(cjs.trim() === 'phoneNumber string', `require: ${cjs}`);
  assert(esm.trim() === 'phoneNumber string', `import: ${esm}`);
  const mini = run('node', ['-e', `
    const { load, ConsentBridge } = require('mp-consent-bridge/miniprogram');
    const { readFileSync } = require('node:fs');
    const bytes = readFileSync(require.resolve('mp-consent-bridge/web/mp_consent_bridge_bg.wasm'));
    import('mp-consent-bridge/testing').then(async ({ mockAlipayHost }) => {
      await load({ bytes });
      const p = await new ConsentBridge({ host: mockAlipayHost() }).askOpenUserInfo();
      console.log(p.nickName);
    });`]);
  assert(mini.trim() === 'Mock User', `miniprogram entry: ${mini}`);
});

await check('TypeScript: usage.ts compiles with tsc --strict, and misuse is rejected', () => {
  try {
    run(bin('tsc'), ['-p', 'tsconfig.json']);
  } catch (e) {
    throw new Error(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

const bundlers = {
  async esbuild(out) {
    const esbuild = await import('esbuild');
    const { wasmLoader } = await import('esbuild-plugin-wasm');
    await esbuild.build({
      absWorkingDir: work, entryPoints: ['src/main.js'], bundle: true, format: 'esm', platform: 'browser',
      target: 'es2022', outdir: out, plugins: [wasmLoader()], logLevel: 'error',
    });
    writeFileSync(join(out, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
  },
  async webpack(out) {
    const { default: webpack } = await import('webpack');
    const stats = await new Promise((resolve, reject) =>
      webpack({
        context: work, mode: 'production', target: 'web', entry: './src/main.js',
        output: { path: out, filename: 'main.js', publicPath: '' },
        experiments: { asyncWebAssembly: true }, performance: { hints: false },
      }, (err, s) => (err ? reject(err) : resolve(s))),
    );
    if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
    writeFileSync(join(out, 'index.html'), '<!doctype html><script src="./main.js"></script>');
  },
  // rollup 4 from the tools project (tools.mjs): node-resolve for the browser, the web
  // build, and @rollup/plugin-url to emit the .wasm (the README's rollup row).
  async rollup(out) {
    const tools = installTools();
    const from = (name) => import(pathToFileURL(createRequire(join(tools, 'package.json')).resolve(name)).href);
    const { rollup } = await from('rollup');
    const { nodeResolve } = await from('@rollup/plugin-node-resolve');
    const { default: url } = await from('@rollup/plugin-url');
    const warnings = [];
    const bundle = await rollup({
      input: join(work, 'src', 'rollup.js'),
      plugins: [nodeResolve({ browser: true }), url({ include: ['**/*.wasm'], limit: 0 })],
      onwarn: (w) => warnings.push(w.message),
    });
    await bundle.write({ dir: out, format: 'es' });
    await bundle.close();
    if (warnings.length) throw new Error(`rollup warned: ${warnings.join('; ')}`);
    writeFileSync(join(out, 'index.html'), '<!doctype html><script type="module" src="./rollup.js"></script>');
  },
  async vite(out) {
    const { build } = await import('vite');
    const { default: wasm } = await import('vite-plugin-wasm');
    await build({ root: work, logLevel: 'error', configFile: false, plugins: [wasm()], build: { outDir: out, target: 'esnext', emptyOutDir: true } });
  },
};

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
function serve(dir) {
  const server = createServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    const file = path.startsWith(dir) && existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.html') : path;
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
try {
  for (const [name, bundle] of Object.entries(bundlers)) {
    await check(`${name}: the bundle loads the wasm in Chromium and completes a flow`, async () => {
      const out = join(work, `dist-${name}`);
      await bundle(out);
      const wasmFiles = readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.wasm'));
      const server = await serve(out);
      const page = await browser.newPage();
      const problems = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      try {
        await page.goto(`http://127.0.0.1:${server.address().port}/#${encodeURIComponent(backend)}`);
        await page.waitForFunction(() => window.__RESULT__ !== undefined, null, { timeout: 20_000 });
        const r = await page.evaluate(() => window.__RESULT__);
        assert(r.ok, `flow failed: ${r.error}; ${problems.join('; ')}`);
        assert(r.sync === true, 'the host was not called synchronously');
        assert(r.answer && r.answer.ok === true && r.answer.kind === 'phoneNumber', `backend answer ${JSON.stringify(r.answer)}`);
        assert(r.denied && r.denied.code === 'USER_DENIED' && r.denied.isBridgeError && r.denied.isError, `denial ${JSON.stringify(r.denied)}`);
        assert(problems.length === 0, problems.join('; '));
        console.log(`  ${name}: ${wasmFiles.length} wasm asset(s) emitted; flow answered ${JSON.stringify(r.answer)}`);
      } finally {
        await page.close();
        server.close();
      }
    });
  }
} finally {
  await browser.close();
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`packaging: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
