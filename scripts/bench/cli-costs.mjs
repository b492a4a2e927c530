// What each command costs next to `analyze` on the same trace, each run as
// its own process of the built CLI (scripts/bench/run-cli.mjs reports its
// peak RSS and CPU time): `analyze`, `query` to its first answer (per-vCPU
// p99 from `faults`, and a question on `events` only), `query --db` (the
// first load, then a second query reusing the file), `report`, `export`,
// and `analyze` of the exported Parquet beside the Arrow trace.
//
// `--root DIR` (repeatable) names blocktime checkouts to measure, built
// (dist/); each command runs once per root in turn, so a before/after pair
// sees the same machine load. Traces come from the simulator, made once
// into the cache directory (as scripts/bench.mjs makes them).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('../..', import.meta.url));
const MEMORY = '256G';
const SEED = 1;

export const P99_SQL = "SELECT cpu, quantile_disc(latency_ns, 0.99) AS p99_ns FROM faults WHERE status = 'counted' AND cpu >= 0 GROUP BY cpu ORDER BY cpu";
export const EVENTS_SQL = "SELECT kind, count(*) AS n, max(t_ns) AS last_ns FROM events GROUP BY kind ORDER BY kind";

const log = (msg) => process.stderr.write(`bench-sql: ${msg}\n`);
const round = (x, digits = 2) => Number(x.toFixed(digits));

/**
 * `opts`: roots (checkouts, default this one), events (the main trace),
 * big (also 100M events), repeat (best of N per command), cache (trace
 * directory), skipDb, skipReport.
 */
export async function measureCliCosts(opts) {
  const roots = (opts.roots.length > 0 ? opts.roots : [HERE]).map((r) => resolve(r));
  const cache = resolve(opts.cache);
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'blocktime-bench-sql-'));
  const report = {
    machine: { cpus: cpus().length, mem_gb: round(totalmem() / 2 ** 30, 1), node: process.version, loadavg_at_start: loadavg().map((x) => round(x)) },
    roots,
    traces: {},
  };
  try {
    const sizes = [opts.events, ...(opts.big ? [100e6] : [])];
    for (const events of sizes) {
      const trace = await ensureTrace(roots[0], cache, events, 64);
      report.traces[`${events}`] = await measureTrace(trace, roots, work, opts);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  report.machine.loadavg_at_end = loadavg().map((x) => round(x));
  return report;
}

async function measureTrace(trace, roots, work, opts) {
  const out = { path: trace, bytes: statSync(trace).size, by_root: {} };
  const rows = {};
  const add = (root, name, r) => {
    ((rows[root] ??= {})[name] = r);
  };
  const each = async (name, argsFor) => {
    for (const root of roots) {
      const args = argsFor(root);
      log(`${name} (${rootName(root, roots)}): blocktime ${args.join(' ')}`);
      add(root, name, await best(root, args, opts.repeat));
    }
  };
  const tag = (root) => `${roots.indexOf(root)}`;
  const parquet = (root) => join(work, `events-${tag(root)}.parquet`);

  // The baseline of every ratio: the best of three at least, a shared machine's hiccups taken out.
  for (const root of roots) {
    log(`analyze (${rootName(root, roots)}): blocktime analyze ${trace}`);
    add(root, 'analyze', await best(root, ['analyze', trace], Math.max(3, opts.repeat)));
  }
  await each('query_faults_p99', () => ['query', trace, P99_SQL, '--format', 'csv']);
  await each('query_events_only', () => ['query', trace, EVENTS_SQL, '--format', 'csv']);
  if (!opts.skipDb) {
    for (const root of roots) rmSync(join(work, `trace-${tag(root)}.duckdb`), { force: true });
    // Best of one: the first load is what creates the file.
    for (const root of roots) {
      const db = join(work, `trace-${tag(root)}.duckdb`);
      log(`query --db, first load (${rootName(root, roots)})`);
      add(root, 'query_db_first_load', await runCli(root, ['query', trace, P99_SQL, '--format', 'csv', '--db', db]));
    }
    await each('query_db_second_query', (root) => ['query', trace, P99_SQL, '--format', 'csv', '--db', join(work, `trace-${tag(root)}.duckdb`)]);
    for (const root of roots) rmSync(join(work, `trace-${tag(root)}.duckdb`), { force: true });
  }
  if (!opts.skipReport) await each('report', (root) => ['report', trace, '-o', join(work, `report-${tag(root)}.html`)]);
  await each('export', (root) => ['export', trace, parquet(root)]);
  // A speed ratio too: the best of three at least, as for analyze.
  for (const root of roots) {
    log(`analyze_parquet (${rootName(root, roots)}): blocktime analyze ${parquet(root)}`);
    add(root, 'analyze_parquet', await best(root, ['analyze', parquet(root)], Math.max(3, opts.repeat)));
  }

  for (const root of roots) {
    const r = rows[root];
    const base = r.analyze;
    const table = {};
    for (const [name, m] of Object.entries(r)) {
      table[name] = m.error
        ? { error: m.error }
        : {
            s: round(m.wall_s),
            peak_rss_mb: Math.round(m.max_rss_kb / 1024),
            cpu_s: round(m.cpu_s),
            x_analyze: base.error ? null : round(m.wall_s / base.wall_s),
            // CPU seconds over analyze's: what the ratio would be without the machine's other load (DuckDB's threads included).
            x_analyze_cpu: base.error ? null : round(m.cpu_s / base.cpu_s),
          };
    }
    if (!r.analyze_parquet?.error && !base.error) table.parquet_speed_vs_arrow = round(base.wall_s / r.analyze_parquet.wall_s);
    out.by_root[rootName(root, roots)] = table;
  }
  return out;
}

function rootName(root, roots) {
  return roots.length === 1 ? 'this' : `${roots.indexOf(root)}:${root}`;
}

/** The simulated trace of about `events` rows (the name scripts/bench.mjs gives it), generated once. */
async function ensureTrace(root, cache, events, vcpus) {
  const path = join(cache, `sim-${events}-${vcpus}v-s${SEED}.arrow`);
  if (existsSync(path)) return path;
  // Each counted fault brings a resolve, and the background stream adds placements: about 2.1 rows per fault.
  const faults = Math.round(events / 2.1);
  log(`generating ${path} (${faults} faults; once, then cached)`);
  const r = await run(process.execPath, [join(root, 'bin', 'blocktime'), 'capture', '--sim', '-o', path, '--vcpus', String(vcpus), '--faults', String(faults), '--memory', MEMORY, '--seed', String(SEED)]);
  if (r.code !== 0) throw new Error(`capture --sim failed (${r.code}): ${r.stderr.trim()}`);
  return path;
}

/** The fastest of `repeat` runs; a failing command is reported as its error, once. */
async function best(root, args, repeat) {
  let pick;
  for (let i = 0; i < repeat; i++) {
    const r = await runCli(root, args);
    if (r.error) return r;
    if (!pick || r.wall_s < pick.wall_s) pick = r;
  }
  return pick;
}

/** One run of `root`'s CLI through its run-cli.mjs wrapper: wall time from spawn to exit, peak RSS, CPU. */
export async function runCli(root, args) {
  const wrapper = join(root, 'scripts', 'bench', 'run-cli.mjs');
  const t0 = performance.now();
  const r = await run(process.execPath, [wrapper, ...args]);
  const wall_s = (performance.now() - t0) / 1000;
  if (r.code !== 0) return { error: `exit ${r.code}: ${r.stderr.trim().split('\n').filter((l) => !l.startsWith('{'))[0] ?? ''}` };
  const rss = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .find((o) => 'max_rss_kb' in o);
  if (!rss) return { error: 'no RSS line on stderr' };
  return { wall_s, max_rss_kb: rss.max_rss_kb, cpu_s: rss.user_cpu_s + rss.system_cpu_s };
}

/** A process to its exit: its code and stderr. */
export function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr: err }));
  });
}

/** The table of one root, as aligned text for the closing note. */
export function formatTable(report) {
  const lines = [];
  for (const [events, t] of Object.entries(report.traces)) {
    for (const [root, table] of Object.entries(t.by_root)) {
      lines.push(`${events} events, ${root} (load average ${report.machine.loadavg_at_start.join(' ')} at start, ${report.machine.loadavg_at_end.join(' ')} at end)`);
      lines.push(`${'command'.padEnd(24)} ${'s'.padStart(7)} ${'cpu s'.padStart(7)} ${'peak MB'.padStart(8)} ${'x analyze'.padStart(10)} ${'x cpu'.padStart(7)}`);
      for (const [name, m] of Object.entries(table)) {
        if (name === 'parquet_speed_vs_arrow') continue;
        if (m.error) lines.push(`${name.padEnd(24)} ${m.error}`);
        else lines.push(`${name.padEnd(24)} ${String(m.s).padStart(7)} ${String(m.cpu_s).padStart(7)} ${String(m.peak_rss_mb).padStart(8)} ${String(m.x_analyze).padStart(10)} ${String(m.x_analyze_cpu).padStart(7)}`);
      }
      if (table.parquet_speed_vs_arrow !== undefined) lines.push(`Parquet replay speed / Arrow: ${table.parquet_speed_vs_arrow}`);
      lines.push('');
    }
  }
  return lines.join('\n');
}
