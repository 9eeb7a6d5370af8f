// Merges the three wasm-pack outputs with pkg-template/ into ONE npm package in pkg/,
// then prints the weight line (raw and gzip bytes of the .wasm and of the JS glue).
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'pkg');
const targets = { bundler: 'bundler', web: 'web', nodejs: 'node' };
const version = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, 'Cargo.toml'), 'utf8'))?.[1];
if (!version) throw new Error('assemble: no version in Cargo.toml');

// The glue ships minified (whitespace and syntax): a mini program package has a hard size
// limit and not every page is bundled. Identifiers are left alone, so classes and
// functions keep their names in stack traces and `constructor.name`; esbuild's keepNames
// would do that with a defineProperty on every closure created, measurably slower per flow.
const { transformSync } = await import('esbuild');
const MINIFY = { minifyWhitespace: true, minifySyntax: true, legalComments: 'none' };
const js = (f) => readFileSync(join(root, 'js', f), 'utf8');
const loadOptions = js('load-options.d.ts');
const loadedAtImport = '\n' + loadOptions + js('loaded-at-import.d.ts');
// The web glue's constructor before init() resolved would read `wasm.consentbridge_new` of
// undefined (a TypeError); this makes it a BridgeError that says what to do. The
// miniprogram build bundles this glue, so its load() gets the same guard.
const NOT_LOADED = `
function notLoaded() {
    const proto = BridgeError.prototype;
    Object.setPrototypeOf(proto, Error.prototype);
    proto.name = 'BridgeError';
    const error = Object.setPrototypeOf(new Error('The wasm is not loaded: await load() (init() for mp-consent-bridge/web) before new ConsentBridge().'), proto);
    throw Object.assign(error, { code: 'INVALID_CONFIG', details: {} });
}
`;
/** Replaces the one `from` in `file` and appends `tail`; fails when the glue changed shape. */
function patch(file, from, to, tail) {
  const text = readFileSync(file, 'utf8');
  if (text.split(from).length !== 2) throw new Error(`assemble: expected one ${JSON.stringify(from)} in ${file}`);
  writeFileSync(file, text.replace(from, to) + tail);
}
/**
 * Declares a CommonJS file's exports in the one form Node's ESM loader (cjs-module-lexer)
 * detects, `module.exports = { a, b }`, behind `0 &&` so it never runs (esbuild writes the
 * same annotation for platform "node"): `import { load } from '…/miniprogram'` then works.
 */
function annotateExports(file) {
  const names = Object.keys(createRequire(import.meta.url)(file));
  if (names.length === 0) throw new Error(`assemble: ${file} exports nothing`);
  appendFileSync(file, `0&&(module.exports={${names.join(',')}});\n`);
}
const minify = (file) =>
  writeFileSync(file, transformSync(readFileSync(file, 'utf8'), { ...MINIFY, target: 'es2020' }).code);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const [from, to] of Object.entries(targets)) {
  const src = join(root, 'build', `wasm-${from}`);
  const dest = join(out, to);
  cpSync(src, dest, { recursive: true, filter: (p) => !p.endsWith('.gitignore') && !p.endsWith('package.json') });
  // wasm-bindgen declares the Option<JsValue> argument as required; it is optional.
  const dts = join(dest, 'mp_consent_bridge.d.ts');
  const declared = readFileSync(dts, 'utf8');
  const optional = declared
    .replace('constructor(options: ConsentBridgeOptions);', 'constructor(options?: ConsentBridgeOptions);')
    // `[Symbol.dispose]` needs lib esnext.disposable and breaks consumers on es2022 libs;
    // the method stays at runtime, only its declaration goes.
    .replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/gm, '');
  if (optional === declared) throw new Error(`assemble: ConsentBridge constructor not found in ${dts}`);
  writeFileSync(dts, optional + (to === 'web' ? '' : loadedAtImport));
  const glue = join(dest, 'mp_consent_bridge.js');
  if (to === 'web') {
    patch(glue, 'constructor(options) {', 'constructor(options) {\n        if (wasm === undefined) notLoaded();', NOT_LOADED);
  } else if (to === 'node') {
    // The wasm is loaded at require, so load() only resolves (js/loaded-at-import.d.ts).
    // TextEncoder/TextDecoder come from node:util, not the globals, which jest's jsdom
    // environment (miniprogram-simulate's) hides.
    const text = readFileSync(glue, 'utf8');
    writeFileSync(glue, `const { TextDecoder, TextEncoder } = require('util');\n${text}exports.load = function load() { return Promise.resolve(); };\n`);
  } else {
    appendFileSync(glue, 'export function load() { return Promise.resolve(); }\n');
  }
  // bundler/ and web/ are ES modules; node/ is CommonJS (the package has no "type").
  // main/types: what TypeScript's node10 resolution (no "exports") reads for 'mp-consent-bridge/web'.
  if (to !== 'node') writeFileSync(join(dest, 'package.json'), JSON.stringify({ type: 'module', main: 'mp_consent_bridge.js', types: 'mp_consent_bridge.d.ts' }) + '\n');
  for (const f of readdirSync(dest).filter((f) => f.endsWith('.js'))) minify(join(dest, f));
}
await buildMiniprogram();
const pkg = JSON.parse(readFileSync(join(root, 'pkg-template', 'package.json'), 'utf8'));
pkg.version = version;
writeFileSync(join(out, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
cpSync(join(root, 'pkg-template', 'README.md'), join(out, 'README.md'));
mkdirSync(join(out, 'testing'));
for (const f of ['mock-hosts.js', 'mock-hosts.d.ts']) cpSync(join(root, 'js', f), join(out, 'testing', f));
// main/types: what node10 resolution (no "exports": old TypeScript settings, old tools) reads.
writeFileSync(join(out, 'testing', 'package.json'), JSON.stringify({ type: 'module', main: 'mock-hosts.cjs', types: 'mock-hosts.d.cts' }) + '\n');
// A CommonJS copy for require() (jest's default setup, which miniprogram-simulate runs on):
// the folder is "type": "module", so the copy is .cjs and its declarations .d.cts. For
// platform "node" esbuild itself annotates the export names for Node's ESM loader.
writeFileSync(join(out, 'testing', 'mock-hosts.cjs'), transformSync(js('mock-hosts.js'), { format: 'cjs', platform: 'node', target: 'es2020' }).code);
cpSync(join(root, 'js', 'mock-hosts.d.ts'), join(out, 'testing', 'mock-hosts.d.cts'));

// The mini program build: one self-contained CommonJS file (the web glue with the shims of
// js/runtime-shims.js injected in place of globalThis, WebAssembly, TextEncoder and
// TextDecoder) and the .wasm beside it under a stable name, ready to copy into a code
// package (WeChat's npm build picks the folder up through the "miniprogram" field).
async function buildMiniprogram() {
  const { build } = await import('esbuild');
  const dest = join(out, 'miniprogram');
  mkdirSync(dest, { recursive: true });
  await build({
    entryPoints: [join(root, 'js', 'miniprogram.js')],
    outfile: join(dest, 'index.js'),
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    target: 'es2017',
    inject: [join(root, 'js', 'runtime-shims.js')],
    alias: { 'mp-consent-bridge-web-glue': join(out, 'web', 'mp_consent_bridge.js') },
    logOverride: { 'empty-import-meta': 'silent' },
    logLevel: 'warning',
    ...MINIFY,
  });
  // Brotli only: WeChat (base library >= 2.14) and Alipay instantiate a .wasm.br path
  // themselves, and everything in this folder lands in the user's code package (42 KB
  // instead of 110 KB). Runtimes that need the plain file (Binance: undocumented; any
  // load({ bytes }) runtime) take web/mp_consent_bridge_bg.wasm, the same module.
  const plain = readFileSync(join(out, 'web', 'mp_consent_bridge_bg.wasm'));
  const brotli = brotliCompressSync(plain, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: plain.length } });
  writeFileSync(join(dest, 'mp_consent_bridge.wasm.br'), brotli);
  const web = readFileSync(join(out, 'web', 'mp_consent_bridge.d.ts'), 'utf8');
  const cut = web.indexOf('export type InitInput');
  if (cut < 0) throw new Error('assemble: the web declarations changed shape (no InitInput)');
  writeFileSync(
    join(dest, 'index.d.ts'),
    web.slice(0, cut) + loadOptions + js('miniprogram.d.ts'),
  );
  writeFileSync(join(dest, 'package.json'), '{ "type": "commonjs" }\n');
  annotateExports(join(dest, 'index.js'));
  await buildSplit(dest);
}

// Split mode (js/split-page.js, js/split-worker.js): the page half is plain JS with no
// wasm; the Worker half requires ./index.js beside it at run time instead of bundling the
// glue a second time (every file in miniprogram/ lands in the user's code package).
async function buildSplit(dest) {
  const { build } = await import('esbuild');
  const entry = {
    name: 'miniprogram-entry',
    setup(b) {
      b.onResolve({ filter: /^mp-consent-bridge-miniprogram-entry$/ }, () => ({ path: './index.js', external: true }));
    },
  };
  for (const half of ['split-page', 'split-worker']) {
    await build({
      entryPoints: [join(root, 'js', `${half}.js`)],
      outfile: join(dest, `${half}.js`),
      bundle: true,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2017',
      define: { __MPCB_VERSION__: JSON.stringify(version) },
      plugins: [entry],
      minifyIdentifiers: true,
      logLevel: 'warning',
      ...MINIFY,
    });
    cpSync(join(root, 'js', `${half}.d.ts`), join(dest, `${half}.d.ts`));
    annotateExports(join(dest, `${half}.js`));
  }
}

const size = (file) => {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const lines = [];
for (const to of [...Object.values(targets), 'miniprogram']) {
  const dir = join(out, to);
  // miniprogram/ ships the module brotli-compressed; its gzip figure is the plain module's.
  const wasm = size(join(to === 'miniprogram' ? join(out, 'web') : dir, 'mp_consent_bridge_bg.wasm'));
  const glue = readdirSync(dir)
    // miniprogram/: the entry only; the split-mode halves get their own line below.
    .filter((f) => f.endsWith('.js') && (to !== 'miniprogram' || f === 'index.js'))
    .map((f) => size(join(dir, f)))
    .reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
  lines.push(
    `weight ${to.padEnd(11)} wasm ${wasm.raw} B raw / ${wasm.gzip} B gzip (${kb(wasm.gzip)}); ` +
      `js glue ${glue.raw} B raw / ${glue.gzip} B gzip (${kb(glue.gzip)}); total gzip ${kb(wasm.gzip + glue.gzip)}`,
  );
  writeFileSync(join(root, 'build', `weight-${to}.json`), JSON.stringify({ wasm, glue }) + '\n');
}
console.log(`assembled pkg/ (mp-consent-bridge ${version}, ${readdirSync(out).length} entries)`);
for (const l of lines) console.log(l);
const halves = ['split-page', 'split-worker'].map((h) => `${h}.js ${size(join(out, 'miniprogram', `${h}.js`)).raw} B raw / ${size(join(out, 'miniprogram', `${h}.js`)).gzip} B gzip`);
console.log(`weight split       ${halves.join('; ')}`);
// What lands in a user's code package (bytes on disk, before the platform's own packing).
const bytesOf = (...parts) => parts.reduce((n, p) => n + readFileSync(join(out, ...p)).length, 0);
const folder = readdirSync(join(out, 'miniprogram')).map((f) => ['miniprogram', f]);
const inPackage = {
  // WeChat's "build npm" copies the whole miniprogram/ folder (tests/packaging proves it).
  wechat: bytesOf(...folder),
  // Alipay: the entry and the .wasm.br; in split mode also both halves.
  alipay: bytesOf(['miniprogram', 'index.js'], ['miniprogram', 'mp_consent_bridge.wasm.br']),
  alipaySplit: bytesOf(['miniprogram', 'index.js'], ['miniprogram', 'mp_consent_bridge.wasm.br'], ['miniprogram', 'split-page.js'], ['miniprogram', 'split-worker.js']),
  // Binance (loader undocumented): the entry and the plain module.
  binance: bytesOf(['miniprogram', 'index.js'], ['web', 'mp_consent_bridge_bg.wasm']),
};
writeFileSync(join(root, 'build', 'weight-in-package.json'), JSON.stringify(inPackage) + '\n');
console.log(
  `weight in-package wechat (whole miniprogram/ folder) ${kb(inPackage.wechat)}; alipay (index.js + .wasm.br) ${kb(inPackage.alipay)}, ` +
    `split mode ${kb(inPackage.alipaySplit)}; binance (index.js + plain .wasm) ${kb(inPackage.binance)}`,
);
