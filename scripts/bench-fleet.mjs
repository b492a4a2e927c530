#!/usr/bin/env node
// Fleet analyze: 200 traces (simulated, about 500k events each, mixed seeds,
// scenarios and vCPU counts; one in ten a QEMU log from fixtures/) replayed
// by `blocktime analyze DIR --json` with --jobs 1 and --jobs 2: wall time,
// CPU time (user + sys, from /usr/bin/time) and peak RSS of each run, and
// the peak RSS of a single-trace analyze of the largest trace, against
// which the fleet's peak is bounded (jobs x single + 100 MB). The machine's
// load average is printed beside the figures: on a shared machine wall time
// means little without it. Prints one JSON object.
// Usage: npm run build && node scripts/bench-fleet.mjs [--traces 200] [--events 500k] [--cache /tmp/bench-fleet-cache] [--runs 1]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulator } from '../dist/capture/sim/capture.js';
import { SCENARIO_NAMES } from '../dist/capture/sim/scenarios.js';
import { createTraceWriter } from '../dist/formats/write.js';
import { parseCount } from '../dist/units.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1];
};
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/blocktime');
const traces = parseCount('--traces', arg('--traces', '200'), 1);
const events = parseCount('--events', arg('--events', '500k'), 1000);
const runs = parseCount('--runs', arg('--runs', '1'), 1);
const cache = join(arg('--cache', '/tmp/bench-fleet-cache'), `${traces}x${events}`);
const VCPUS = [1, 2, 4, 8, 16, 32, 64];
const LOGS = [
  ...readdirSync(join(ROOT, 'fixtures/qemu'))
    .filter((f) => f.endsWith('.log'))
    .map((f) => join(ROOT, 'fixtures/qemu', f)),
  join(ROOT, 'fixtures/qemu-real/postcopy-2vcpu-7.2.dst.log.gz'),
];

async function generate() {
  if (existsSync(join(cache, 'complete'))) return;
  mkdirSync(cache, { recursive: true });
  for (let i = 0; i < traces; i++) {
    if (i % 10 === 9) {
      const log = LOGS[Math.floor(i / 10) % LOGS.length];
      copyFileSync(log, join(cache, `t${String(i).padStart(4, '0')}-${log.split('/').pop()}`));
      continue;
    }
    const path = join(cache, `t${String(i).padStart(4, '0')}.arrow`);
    if (existsSync(path)) continue;
    // A fault row comes with its resolve: half the events are faults.
    const sim = createSimulator({
      options: { seed: i + 1, vcpus: VCPUS[i % VCPUS.length], faults: Math.floor(events / 2), memoryBytes: 64 * 2 ** 30 },
      scenario: SCENARIO_NAMES[i % SCENARIO_NAMES.length],
    });
    const writer = await createTraceWriter(path, sim.meta);
    for (const b of sim.batches()) await writer.write(b);
    await writer.close();
    process.stderr.write(`\rgenerated ${i + 1}/${traces}`);
  }
  writeFileSync(join(cache, 'complete'), '');
  process.stderr.write('\n');
}

/** Runs blocktime under /usr/bin/time: wall, user+sys CPU seconds, peak RSS (MB). */
function timed(args) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const last = r.stderr.trim().split('\n').pop();
  const [wall, user, sys, kb] = last.split(' ').map(Number);
  if (!(r.status === 0 || r.status === 2) || !Number.isFinite(wall)) throw new Error(`blocktime ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return { wall_s: wall, cpu_s: +(user + sys).toFixed(2), peak_rss_mb: Math.round(kb / 1024), load_before: +load.toFixed(2), load_after: +loadavg()[0].toFixed(2), rows: r.stdout.trim().split('\n').length };
}

await generate();
const files = readdirSync(cache).filter((f) => f !== 'complete');
const largest = files.map((f) => join(cache, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
const result = { traces: files.length, events_per_sim_trace: events, cores: cpus().length, cache, largest, runs: [] };
result.single_largest = timed(['analyze', largest, '--json']);
for (let k = 0; k < runs; k++) {
  for (const jobs of [1, 2]) result.runs.push({ jobs, ...timed(['analyze', cache, '--json', '--jobs', String(jobs)]) });
}
const best = (jobs) => result.runs.filter((r) => r.jobs === jobs).reduce((a, b) => (a.wall_s <= b.wall_s ? a : b));
const one = best(1);
const two = best(2);
result.speedup_wall = +(one.wall_s / two.wall_s).toFixed(2);
result.cpu_ratio_jobs2_over_jobs1 = +(two.cpu_s / one.cpu_s).toFixed(2);
result.rss_bound_mb = 2 * result.single_largest.peak_rss_mb + 100;
result.rss_within_bound = Math.max(...result.runs.filter((r) => r.jobs === 2).map((r) => r.peak_rss_mb)) <= result.rss_bound_mb;
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
