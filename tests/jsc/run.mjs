// Builds tests/jsc/driver.mjs into one classic script and runs it in the JavaScriptCore
// shell, relaying the driver's host requests to real HTTP. Used by jsc.test.mjs and by
// bench/bench.mjs. JIT off is `JSC_useJIT=false`, as on iOS logic layers.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const JSC = process.env.JSC || '/usr/bin/jsc';

/** Bundles a driver (the built files inside it, untouched) into build/jsc/<name>.js. */
export async function buildDriver(name = 'driver') {
  const { build } = await import('esbuild');
  const outfile = join(root, 'build', 'jsc', `${name}.js`);
  mkdirSync(join(root, 'build', 'jsc'), { recursive: true });
  await build({ entryPoints: [join(root, 'tests', 'jsc', `${name}.mjs`)], outfile, bundle: true, format: 'iife', platform: 'neutral', target: 'es2020', logLevel: 'warning' });
  return outfile;
}

/**
 * Runs the driver with `args` (after `--`); `jit: false` sets JSC_useJIT=false.
 * Resolves with the parsed @@ lines: { START, RESULT: [], BENCH: [], DONE, FATAL, stderr }.
 */
export function runDriver(driver, args, { jit = true, timeoutMs = 120000 } = {}) {
  if (!existsSync(JSC)) throw new Error(`${JSC} is missing: scripts/setup installs it (apt-get install libjavascriptcoregtk-4.0-bin)`);
  const env = { ...process.env };
  if (!jit) env.JSC_useJIT = 'false';
  else delete env.JSC_useJIT;
  const child = spawn(JSC, [driver, '--', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { RESULT: [], BENCH: [], REQ: [], stderr: '', stdout: [] };
  child.stderr.on('data', (d) => (out.stderr += d));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', async (line) => {
    const m = /^@@(\w+) (.*)$/.exec(line);
    if (!m) return out.stdout.push(line);
    const value = JSON.parse(m[2]);
    if (Array.isArray(out[m[1]])) out[m[1]].push(value);
    else out[m[1]] = value;
    if (m[1] === 'REQ') child.stdin.write(JSON.stringify(await perform(value)) + '\n');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`jsc did not finish within ${timeoutMs} ms; stderr: ${out.stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      out.exitCode = code;
      resolve(out);
    });
  });
}

/** The real HTTP request the driver's host asked for. */
async function perform({ id, url, method, headers, data }) {
  try {
    const res = await fetch(url, { method, headers, body: data });
    return { id, status: res.status, headers: Object.fromEntries(res.headers.entries()), data: await res.text() };
  } catch (e) {
    return { id, networkError: String(e && e.message) };
  }
}
