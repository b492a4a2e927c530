#!/usr/bin/env node
// Simulator throughput and memory: rows per second and peak RSS while the
// simulator streams a long trace into a sink that drops it (simulation alone),
// then `capture --sim -o -` end to end (Arrow encoding included) into
// /dev/null, and the Arrow file size per million rows. Prints one JSON object.
// Usage: npm run build && node scripts/bench-sim.mjs [--faults 18M] [--skip-cli]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulator, simulateToWriter } from '../dist/capture/sim/capture.js';
import { parseCount } from '../dist/units.js';
import { createTraceWriter } from '../dist/formats/write.js';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const faults = parseCount('--faults', arg('--faults') ?? '18M', 1);
// Enough guest memory that the run is not cut short by every page having arrived.
const options = { faults, memoryBytes: 256 * 2 ** 30 };

if (process.argv.includes('--child')) {
  // The simulation alone, in a fresh process so its peak RSS is its own.
  const sim = createSimulator({ options });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let rows = 0;
  for (const b of sim.batches()) rows += b.length;
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0).user / 1e6;
  process.stdout.write(JSON.stringify({ rows, wall_s: wall, cpu_s: cpu, rows_per_s: Math.round(rows / wall), rows_per_cpu_s: Math.round(rows / cpu), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  process.exit(0);
}

const here = fileURLToPath(import.meta.url);
const child = spawnSync(process.execPath, [here, '--child', '--faults', String(faults)], { encoding: 'utf8' });
if (child.status !== 0) throw new Error(child.stderr);
const simulate = JSON.parse(child.stdout);

let cli;
if (!process.argv.includes('--skip-cli')) {
  const bin = fileURLToPath(new URL('../bin/blocktime', import.meta.url));
  const devnull = openSync('/dev/null', 'w');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U', process.execPath, bin, 'capture', '--sim', '--faults', String(faults), '--memory', '256G', '-o', '-'], { stdio: ['ignore', devnull, 'pipe'], encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  const last = r.stderr.trim().split('\n').at(-1).split(' ');
  cli = { wall_s: wall, rows_per_s: Math.round(simulate.rows / wall), user_cpu_s: Number(last[1]), peak_rss_mb: Math.round(Number(last[0]) / 1024) };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-sim-'));
const sizes = {};
try {
  for (const ext of ['arrow', 'csv', 'ndjson']) {
    const path = join(dir, `m.${ext}`);
    const { stats } = await simulateToWriter({ options: { faults: 360_000, memoryBytes: 64 * 2 ** 30 } }, (meta, batchRows) => createTraceWriter(path, meta, { batchRows }));
    sizes[ext] = { rows: stats.rows, mb_per_million_rows: +((statSync(path).size / stats.rows) * 1e6 / 2 ** 20).toFixed(2) };
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ faults, simulate, capture_cli_to_devnull: cli, file_size: sizes }, null, 2) + '\n');
