// Groups twiggy's CSV (`twiggy top --format csv`) by crate and module and prints the
// largest groups and items. Sizes are raw bytes of the optimised module; the "function
// names" section is excluded (only the measuring copy has it).
import { readFileSync } from 'node:fs';

const [file, limit = '25'] = process.argv.slice(2);
const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => {
  const m = /^(".*"|[^,]*),(\d+),/.exec(line);
  return m && { name: m[1].replace(/^"|"$/g, '').replaceAll('""', '"'), bytes: Number(m[2]) };
}).filter((r) => r && !r.name.includes('function names'));

/** `our_crate::module::sub`, `core::fmt`, `data`, `wasm-bindgen shims`, … */
function group(name) {
  if (name.startsWith('data segment')) return 'data (strings, tables)';
  if (/ (externref|multivalue) shim$/.test(name)) return 'wasm-bindgen export shims (bodies inlined)';
  if (name.startsWith('import ')) return 'imports (names of JS functions)';
  const path = /^<*([a-z_0-9]+)(?:\[[0-9a-f]+\])?::([a-z_0-9]+)?(?:::([a-z_0-9]+))?/.exec(name);
  if (!path) return 'other';
  const [, crate, module, sub] = path;
  if (crate === 'mp_consent_bridge') return ['crate', module, ['consent', 'forward', 'host'].includes(module) ? sub : null].filter(Boolean).join('::');
  return module ? `${crate}::${module}` : crate;
}

const groups = new Map();
for (const r of rows) groups.set(group(r.name), (groups.get(group(r.name)) || 0) + r.bytes);
const total = rows.reduce((n, r) => n + r.bytes, 0);
const table = (title, entries) => {
  console.log(`\n${title}`);
  for (const [name, bytes] of entries.slice(0, Number(limit))) {
    console.log(`${String(bytes).padStart(8)}  ${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 110)}`);
  }
};
console.log(`wasm (wasm-opt -Oz, names aside): ${total} bytes`);
table('by crate / module', [...groups].sort((a, b) => b[1] - a[1]));
table('largest items', rows.sort((a, b) => b.bytes - a.bytes).map((r) => [r.name, r.bytes]));
