#!/usr/bin/env node
// `node scripts/bench-fleet-sql.mjs [--traces N] [--events N] [--jobs 1,2] [--cache DIR]` (after `npm run build`)
//
// Fleet `query` time to first answer: N simulated traces of about EVENTS
// rows each (default 50 of 500k; seeds, vCPU counts 2..16 and scenarios
// mixed; generated once into the cache), queried as one directory by the
// built CLI, one process per run: `faults` (the replay's rows, every trace
// loaded), `results` (the replay alone) and `traces` (a read for the row
// count and the content hash), for each --jobs value. Wall time from spawn
// to exit, peak RSS, CPU, and the load average before each run (2 cores
// shared with other work skew the figures: read them with it). A table on
// stderr, one JSON object on stdout.
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run, runCli } from './bench/cli-costs.mjs';

const { values } = parseArgs({
  options: {
    traces: { type: 'string', default: '50' },
    events: { type: 'string', default: '500000' },
    jobs: { type: 'string', default: '1,2' },
    cache: { type: 'string', default: '.cache/bench' },
  },
});
const traces = Number(values.traces);
const events = Number(values.events);
const dir = join(values.cache, `fleet-${traces}x${events}`);
const SCENARIOS = [undefined, 'reentrant', 'late-resolve', 'non-vcpu'];
const log = (s) => process.stderr.write(`${s}\n`);

mkdirSync(dir, { recursive: true });
for (let i = 0; i < traces; i++) {
  const path = join(dir, `sim-${String(i).padStart(4, '0')}.arrow`);
  if (existsSync(path)) continue;
  const scenario = SCENARIOS[i % SCENARIOS.length];
  // About 2.1 rows per fault (its resolve, and the background stream's placements).
  const args = ['capture', '--sim', '-o', path, '--seed', String(i + 1), '--vcpus', String(2 + (i % 15)), '--faults', String(Math.round(events / 2.1)), '--memory', '4G'];
  if (scenario) args.push('--scenario', scenario);
  log(`generating ${path}`);
  const r = await run(process.execPath, ['bin/blocktime', ...args]);
  if (r.code !== 0) throw new Error(`capture --sim failed: ${r.stderr.trim()}`);
}

const QUERIES = {
  faults: 'SELECT trace, max(latency_ns) AS worst_ns FROM faults GROUP BY trace ORDER BY worst_ns DESC LIMIT 1',
  results: "SELECT trace, blocktime_ns FROM results WHERE variant = 'exact' AND cpu IS NULL ORDER BY blocktime_ns DESC LIMIT 1",
  traces: 'SELECT count(*), sum(events) FROM traces',
};
const rows = [];
for (const jobs of values.jobs.split(',').map(Number)) {
  for (const [name, sql] of Object.entries(QUERIES)) {
    const load = loadavg()[0];
    const r = await runCli('.', ['query', dir, sql, '--jobs', String(jobs)]);
    if (r.error) throw new Error(`query failed: ${r.error}`);
    const row = { query: name, jobs, wall_s: round(r.wall_s), max_rss_mb: Math.round(r.max_rss_kb / 1024), cpu_s: round(r.cpu_s), load_before: round(load) };
    rows.push(row);
    log(`${name.padEnd(8)} --jobs ${jobs}: ${row.wall_s} s, ${row.max_rss_mb} MB peak, ${row.cpu_s} s CPU (load ${row.load_before})`);
  }
}
process.stdout.write(JSON.stringify({ traces, events_per_trace: events, runs: rows }) + '\n');

function round(x) {
  return Math.round(x * 100) / 100;
}
