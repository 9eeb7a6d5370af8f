// Serves the simulator (/ and /simulator/*) and the BUILT package (/pkg/*) on 127.0.0.1.
// As a script: `node simulator/serve.mjs [port]` prints the URL and serves until stopped.
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Starts the server; resolves with it once it listens. */
export function serve(port = 0) {
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path === '/') path = '/simulator/index.html';
    const file = normalize(join(root, path));
    const allowed = [join(root, 'simulator'), join(root, 'pkg')].some((dir) => file.startsWith(dir + '/'));
    if (!allowed || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  const server = await serve(Number(process.argv[2] || 0));
  console.log(`simulator on http://127.0.0.1:${server.address().port}/`);
}
