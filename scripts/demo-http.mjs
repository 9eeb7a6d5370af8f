// What the platform demos (scripts/*-demo.mjs) share: a JSON POST that never throws on a
// non-JSON answer, and a second reference backend started beside the first.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Sends `body` (if any) as JSON; resolves with the status, the parsed body (null if not JSON) and the raw text. */
export async function call(method, url, body, headers = {}) {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, body: json, text };
}

/** POSTs `body` as JSON (see `call`). */
export const post = (url, body, headers = {}) => call('POST', url, body, headers);

/** Starts `bin` (a server that prints `listening on URL` first) with `args` and `env` overrides; resolves with its URL and process. */
export function listen(bin, args = [], env = {}) {
  const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const m = /^listening on (http\S+)/.exec(line);
      m ? resolve({ url: m[1], child }) : reject(new Error(`unexpected first line: ${line}`));
    });
    child.once('error', reject);
  });
}

/** Starts another reference backend (fresh memory) with `env` overrides and `args`; resolves with its URL and process. */
export const otherBackend = (env = {}, args = []) => listen(fileURLToPath(new URL('../target/debug/mp-consent-backend', import.meta.url)), args, env);
