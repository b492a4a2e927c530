#!/usr/bin/env node
// `npm install` hook: builds the optional native capture addon with node-gyp.
// It never fails the install: where the addon cannot be built it says why in
// one line and exits 0, and `capture --native` / `lab` report the same reason.
// Nothing is downloaded: node-gyp builds against Node headers already on the
// machine, or not at all.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = join(root, 'build', 'native-build.log');

function skip(reason) {
  console.log(`blocktime: native capture not built: ${reason}`);
  process.exit(0);
}

if (process.env.BLOCKTIME_NATIVE === 'off') skip('BLOCKTIME_NATIVE=off');
if (process.platform !== 'linux') skip(`needs Linux (userfaultfd), this is ${process.platform}`);

for (const [env, fallback] of [['CC', 'cc'], ['CXX', 'g++']]) {
  const compiler = process.env[env] || fallback;
  const r = spawnSync(compiler, ['--version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) skip(`no C/C++ compiler (${compiler} not found)`);
}

// node-gyp runs gyp with Python 3: say so plainly when there is none.
function findPython() {
  const chosen = process.env.npm_config_python || process.env.PYTHON;
  if (chosen) return chosen;
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['--version'], { stdio: 'ignore' });
    if (!r.error && r.status === 0) return candidate;
  }
  return undefined;
}
const python = findPython();
if (!python) skip('no Python 3 (node-gyp needs it)');

// npm puts its own node-gyp in npm_config_node_gyp for install scripts; run
// outside npm, take the one bundled with the npm next to this node.
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}
const nodeGyp = findNodeGyp();
if (!nodeGyp) skip('node-gyp not found (it comes with npm)');

// Headers: npm's nodedir setting, else the ones installed with this node,
// else node-gyp's cache. Without any, node-gyp would download them: refuse.
const prefix = join(dirname(process.execPath), '..');
const nodedir =
  process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const cached = join(process.env.HOME ?? '', '.cache', 'node-gyp', process.versions.node, 'include', 'node', 'node_api.h');
if (!nodedir && !existsSync(cached)) skip('no Node.js headers on this machine (install the nodejs headers package)');

const args = [nodeGyp, 'rebuild', '--directory', root, `--python=${python}`];
if (nodedir) args.push(`--nodedir=${nodedir}`);
const r = spawnSync(process.execPath, args, {
  encoding: 'utf8',
  timeout: 300_000,
  env: { ...process.env, npm_config_offline: 'true' },
});
mkdirSync(dirname(log), { recursive: true });
writeFileSync(log, `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`);
if (r.error || r.status !== 0) skip(`the build failed (details in ${log})`);
console.log('blocktime: native capture built (build/Release/blocktime_native.node)');
