#!/usr/bin/env node
// `node scripts/bench-sql.mjs [--events N] [--big] [--repeat N] [--root DIR]... [--cache DIR] [--skip-db] [--skip-report]`
// (after `npm run build`)
//
// What `query`, `report` and `export` cost next to `analyze` on the same
// simulated trace (default 20M events, 64 vCPUs; --big adds 100M), each
// command a process of the built CLI: seconds, peak RSS and the ratio to
// `analyze`, and the replay speed of the exported Parquet beside the Arrow
// trace (scripts/bench/cli-costs.mjs). `--root DIR`, repeated, measures
// several built checkouts in turn (before/after under the same load).
// Prints a table on stderr and one JSON object on stdout.
//
// `node scripts/bench-sql.mjs --stages [--events N] [--vcpus N] [--seed N] [--derived emit|sql]`
//
// The DuckDB side of blocktime on a simulated trace (default 20M events,
// 64 vCPUs), held in memory first so that only DuckDB's work is timed:
//   - load: TraceBatches appended to `events` (data chunks filled by memcpy),
//     in events/s (target >= 5M/s);
//   - tables: building the `faults` and `blocked_intervals` tables, as
//     `blocktime query` does in its load pass (`--derived emit`, the default:
//     rows from one pass over the batches, src/sql/derived-tables.ts) or from
//     their view SQL (`--derived sql`: window passes over the whole trace);
//     `ready_events_per_s` counts both steps, the rate at which a trace
//     becomes queryable;
//   - replay: the three variants over the same batches, which `blocktime
//     query` runs on the same thread as the append (for `results`);
//   - p50/p99: per-vCPU fault latency percentiles from `faults` (target < 3 s);
//   - all_down: the sum of `all_down_intervals`, i.e. the exact total
//     blocktime computed by the window-function views (target < 3 s), checked
//     against the exact replay of the same batches.
// Prints progress on stderr and one JSON object on stdout, peak RSS included
// (the in-memory trace counts in it: about 29 bytes an event).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { createSimulator } from '../dist/capture/sim/capture.js';
import { replayBatches } from '../dist/replay/engine.js';
import { subBatch } from '../dist/trace/batch.js';
import { EventAppender } from '../dist/sql/event-appender.js';
import { createTraceTables, writeTraceMeta } from '../dist/sql/trace-tables.js';
import { createDerivedTablesConsumer } from '../dist/sql/derived-tables.js';
import { DERIVED_TABLES } from '../dist/sql/fault-row-stream.js';
import { MATERIALIZED_VIEWS, createViews } from '../dist/sql/views.js';
import { formatTable, measureCliCosts } from './bench/cli-costs.mjs';

if (!process.argv.includes('--stages')) {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '20000000' },
      big: { type: 'boolean', default: false },
      repeat: { type: 'string', default: '1' },
      root: { type: 'string', multiple: true, default: [] },
      cache: { type: 'string', default: '.cache/bench' },
      'skip-db': { type: 'boolean', default: false },
      'skip-report': { type: 'boolean', default: false },
    },
  });
  const report = await measureCliCosts({
    roots: values.root,
    events: Number(values.events),
    big: values.big,
    repeat: Math.max(1, Number(values.repeat) || 1),
    cache: values.cache,
    skipDb: values['skip-db'],
    skipReport: values['skip-report'],
  });
  process.stderr.write('\n' + formatTable(report) + '\n');
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.exit(0);
}

const { values: opts } = parseArgs({
  options: {
    events: { type: 'string', default: '20000000' },
    vcpus: { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    stages: { type: 'boolean', default: false },
    derived: { type: 'string', default: 'emit' },
  },
});
if (opts.derived !== 'emit' && opts.derived !== 'sql') throw new Error(`--derived ${opts.derived}: expected emit or sql`);
const EVENTS = Number(opts.events);
const VCPUS = Number(opts.vcpus);
const TARGETS = { load_events_per_s: 5e6, query_s: 3 };
const log = (msg) => process.stderr.write(`bench-sql: ${msg}\n`);
const seconds = (t0) => (performance.now() - t0) / 1000;
/** CPU seconds of this process (DuckDB's threads included) since `u0`: on a shared machine, wall time alone says little. */
const cpuSeconds = (u0) => {
  const u = process.cpuUsage(u0);
  return (u.user + u.system) / 1e6;
};

log(`simulating ${EVENTS} events, ${VCPUS} vCPUs (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
const sim = createSimulator({ options: { seed: Number(opts.seed), vcpus: VCPUS, faults: Math.ceil(EVENTS / 2), memoryBytes: 256 * 2 ** 30 } });
const batches = [];
let rows = 0;
for (const b of sim.batches()) {
  const keep = Math.min(b.length, EVENTS - rows);
  batches.push(keep === b.length ? b : subBatch(b, 0, keep));
  rows += keep;
  if (rows === EVENTS) break;
}

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await createTraceTables(connection);

log('loading');
let t0 = performance.now();
let u0 = process.cpuUsage();
const appender = await EventAppender.open(connection);
for (const b of batches) appender.append(b);
appender.close();
const load_s = seconds(t0);
const load_cpu_s = cpuSeconds(u0);
log(`loaded ${appender.rows} events in ${load_s.toFixed(2)} s`);

log('replaying (three variants)');
t0 = performance.now();
u0 = process.cpuUsage();
const replay = (await replayBatches(sim.meta, batches, ['mutex', 'atomic', 'exact'])).results.exact;
const replay_s = seconds(t0);
const replay_cpu_s = cpuSeconds(u0);
await writeTraceMeta(connection, { path: 'sim', format: 'sim', pageSize: replay.page_size, vcpus: replay.vcpus, events: appender.rows, firstNs: null, minNs: null, maxNs: null });

log(`building ${DERIVED_TABLES.join(', ')} (${opts.derived})`);
t0 = performance.now();
u0 = process.cpuUsage();
if (opts.derived === 'sql') await createViews(connection, { materialize: MATERIALIZED_VIEWS });
else {
  const derived = await createDerivedTablesConsumer(connection, sim.meta, 'sim');
  for (const b of batches) derived.consume(b);
  await derived.finish();
  await createViews(connection, { existing: DERIVED_TABLES });
}
const tables_s = seconds(t0);
const tables_cpu_s = cpuSeconds(u0);

async function timed(name, sql) {
  log(name);
  const start = performance.now();
  const u = process.cpuUsage();
  const result = (await connection.runAndReadAll(sql)).getRowsJS();
  return { s: seconds(start), cpu_s: cpuSeconds(u), result };
}
const latency = await timed(
  'per-vCPU latency p50/p99',
  `SELECT cpu, count(*) AS faults, quantile_disc(latency_ns, 0.5) AS p50_ns, quantile_disc(latency_ns, 0.99) AS p99_ns
   FROM faults WHERE cpu >= 0 AND latency_ns IS NOT NULL GROUP BY cpu ORDER BY cpu`,
);
const allDown = await timed('all_down_intervals sum', 'SELECT coalesce(sum(end_ns - start_ns), 0)::BIGINT FROM all_down_intervals');
const allDownNs = Number(allDown.result[0][0]);

const report = {
  events: appender.rows,
  vcpus: replay.vcpus,
  load_s: round(load_s),
  load_events_per_s: Math.round(appender.rows / load_s),
  load_cpu_s: round(load_cpu_s),
  derived: opts.derived,
  tables_s: round(tables_s),
  tables_cpu_s: round(tables_cpu_s),
  ready_events_per_s: Math.round(appender.rows / (load_s + tables_s)),
  replay_three_variants_s: round(replay_s),
  replay_three_variants_cpu_s: round(replay_cpu_s),
  latency_p50_p99_query_s: round(latency.s),
  latency_p50_p99_query_cpu_s: round(latency.cpu_s),
  all_down_sum_query_s: round(allDown.s),
  all_down_sum_query_cpu_s: round(allDown.cpu_s),
  all_down_ns: allDownNs,
  all_down_equals_exact_replay: allDownNs === replay.total_blocktime_ns,
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  load_average: loadavg().map((x) => round(x)),
  targets: TARGETS,
  met: {
    load: appender.rows / load_s >= TARGETS.load_events_per_s,
    latency_query: latency.s < TARGETS.query_s,
    all_down_query: allDown.s < TARGETS.query_s,
  },
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
connection.closeSync();
instance.closeSync();

function round(x) {
  return Math.round(x * 100) / 100;
}
