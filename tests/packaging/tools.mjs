// The ecosystem tools the packaging suites run the package through (tools/package.json:
// @arethetypeswrong/cli, the hosts' official typings, rollup 4, jest + miniprogram-simulate),
// installed once into build/tools/packaging and reinstalled only when that list changes
// (about 25 s cold). The package itself goes in from its `npm pack` tarball, unpacked as
// npm would into node_modules/mp-consent-bridge, fresh on every run.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const toolsDir = join(root, 'build', 'tools', 'packaging');
/** The package under test: pkg/, or MPCB_PKG (relative to the repo), e.g. an older build to see these tests fail on it. */
export const pkgDir = process.env.MPCB_PKG ? join(root, process.env.MPCB_PKG) : join(root, 'pkg');
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Installs the tools (idempotent) and returns their folder. */
export function installTools() {
  const manifest = readFileSync(join(root, 'tests', 'packaging', 'tools', 'package.json'), 'utf8');
  const stamp = join(toolsDir, 'node_modules', '.mpcb-tools.json');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== manifest) {
    mkdirSync(toolsDir, { recursive: true });
    writeFileSync(join(toolsDir, 'package.json'), manifest);
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], toolsDir);
    writeFileSync(stamp, manifest);
  }
  return toolsDir;
}

/** Packs `pkgDir` and unpacks the tarball into the tools' node_modules; returns the tarball's path. */
export function installPackage() {
  const dir = join(toolsDir, 'tarball');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [{ filename }] = JSON.parse(run('npm', ['pack', pkgDir, '--pack-destination', dir, '--json', '--loglevel=error'], dir));
  const dest = join(toolsDir, 'node_modules', 'mp-consent-bridge');
  rmSync(dest, { recursive: true, force: true });
  run('tar', ['-xzf', join(dir, filename), '-C', dir]);
  cpSync(join(dir, 'package'), dest, { recursive: true });
  return join(dir, filename);
}
