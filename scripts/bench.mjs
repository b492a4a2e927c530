#!/usr/bin/env node
// `npm run bench [-- --big] [--repeat N] [--skip-scaling] [--skip-ref] [--skip-parquet] [--events N] [--scaling-events N]`
//
// Measures blocktime on simulated traces and prints one JSON object on stdout
// (progress on stderr):
//   - replay-only events/s of each variant (the engine's per-event time) and
//     end-to-end `analyze` events/s, on a 20M-event, 64-vCPU Arrow trace;
//   - peak RSS of the `analyze` process (and, with --big, at 100M events: it
//     must not grow with the trace);
//   - atomic vs mutex replay at 8, 64 and 512 vCPUs on 5M-event traces: the
//     atomic design scans every vCPU on each resolve, the mutex design must not;
//   - a C replay of the mutex design written QEMU-style (GLib hash table of
//     lists, scripts/bench/qemu-ref.c) on the same trace: its speed, and that
//     its figures equal ours;
//   - `analyze` of the same trace exported to Parquet beside the Arrow file:
//     CPU seconds, wall, and Parquet's speed as a fraction of Arrow's.
// Traces are generated once by the simulator into .cache/bench/ (gitignored).
// Runs take the best of --repeat (default 2): the machine may be shared.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeDump } from './bench/dump.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, '.cache', 'bench');
const CLI = join(ROOT, 'bin', 'blocktime');
const RUN_CLI = join(ROOT, 'scripts', 'bench', 'run-cli.mjs');
const QEMU_REF_SRC = join(ROOT, 'scripts', 'bench', 'qemu-ref.c');

/** Guest memory of every bench trace: large enough that 100M events rarely refault a placed page. */
const MEMORY = '256G';
const SEED = 1;
const VARIANTS = ['mutex', 'exact', 'atomic'];
const TARGETS = { mutex_replay_events_per_s: 15e6, analyze_events_per_s: 8e6, peak_rss_mb: 300 };

const { values: opts } = parseArgs({
  options: {
    big: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '2' },
    'skip-scaling': { type: 'boolean', default: false },
    'skip-ref': { type: 'boolean', default: false },
    'skip-parquet': { type: 'boolean', default: false },
    // Smaller traces, to try the script itself quickly.
    events: { type: 'string', default: '20000000' },
    'scaling-events': { type: 'string', default: '5000000' },
  },
});
const REPEAT = Math.max(1, Number(opts.repeat) || 1);

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const round = (x, digits = 0) => Number(x.toFixed(digits));
const mb = (kb) => round(kb / 1024, 1);

async function main() {
  mkdirSync(CACHE, { recursive: true });
  const report = {
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, mem_gb: round(totalmem() / 2 ** 30, 1), node: process.version, loadavg_at_start: loadavg().map((x) => round(x, 2)) },
    targets: TARGETS,
  };

  const mainTrace = await ensureTrace(Number(opts.events), 64);
  report.trace = await measureTrace(mainTrace);
  report.checks = checks(report.trace);

  // A failing section is reported in place; the others still run.
  if (!opts['skip-ref']) report.qemu_ref = await section(() => qemuReference(mainTrace, report.trace));
  if (!opts['skip-scaling']) report.scaling = await section(scaling);
  if (!opts['skip-parquet']) report.parquet = await section(() => parquetBesideArrow(mainTrace));
  if (opts.big) {
    report.trace_100m = await section(async () => {
      const big = await ensureTrace(100e6, 64);
      const run = await best(['analyze', big, '--json', '--timing']);
      return { path: rel(big), bytes: statSync(big).size, ...endToEnd(run) };
    });
    if (!report.trace_100m.error) {
      const growth = report.trace_100m.peak_rss_mb / report.trace.analyze.peak_rss_mb;
      report.checks.rss_growth_20m_to_100m = { ratio: round(growth, 3), ok: growth <= 1.1 };
    }
  }
  report.machine.loadavg_at_end = loadavg().map((x) => round(x, 2));
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

async function section(fn) {
  try {
    return await fn();
  } catch (err) {
    log(`failed: ${err.message}`);
    return { error: err.message.split('\n')[0] };
  }
}

/** The simulated trace of about `events` rows, generated once into the cache. */
async function ensureTrace(events, vcpus) {
  const name = `sim-${events}-${vcpus}v-s${SEED}.arrow`;
  const path = join(CACHE, name);
  if (existsSync(path)) return path;
  // Each counted fault brings a resolve, and the background stream adds placements: about 2.1 rows per fault.
  const faults = Math.round(events / 2.1);
  log(`generating ${name} (${faults} faults; once, then cached)`);
  const t0 = performance.now();
  const args = ['capture', '--sim', '-o', path, '--vcpus', String(vcpus), '--faults', String(faults), '--memory', MEMORY, '--seed', String(SEED)];
  const r = await run(process.execPath, [CLI, ...args], { stdout: 'ignore' });
  if (r.code !== 0) throw new Error(`capture --sim failed (${r.code}): ${r.stderr.trim()}`);
  log(`  ${round((performance.now() - t0) / 1000, 1)} s, ${round(statSync(path).size / 2 ** 20)} MiB`);
  return path;
}

/** Replay speed of each variant and the end-to-end analyze figures on one trace. */
async function measureTrace(trace) {
  const out = { path: rel(trace), bytes: statSync(trace).size, replay_events_per_s: {}, variants: {} };
  for (const v of VARIANTS) {
    log(`analyze --variant ${v} (${REPEAT}x)`);
    const r = await best(['analyze', trace, '--variant', v, '--json', '--timing']);
    out.events = r.timing.events;
    out.replay_events_per_s[v] = round(r.timing.replay_events_per_s);
    out.variants[v] = { ...r.timing, peak_rss_mb: mb(r.max_rss_kb), wall_s: round(r.wall_s, 3), process_cpu_s: round(r.cpu_s, 3) };
    // Kept out of the printed report (it is long), for the C reference check.
    if (v === 'mutex') Object.defineProperty(out, 'mutexResult', { value: JSON.parse(r.stdout), enumerable: false });
  }
  out.analyze = endToEnd(await best(['analyze', trace, '--timing'], 'human report'));
  return out;
}

function endToEnd(r) {
  return {
    events: r.timing.events,
    total_s: round(r.timing.total_s, 3),
    events_per_s: round(r.timing.events / r.timing.total_s),
    // Process start to exit, Node's own start-up included.
    wall_s: round(r.wall_s, 3),
    wall_events_per_s: round(r.timing.events / r.wall_s),
    // CPU seconds of the whole process (start-up, GC threads included): the cost without the wait on a shared machine.
    cpu_s: round(r.cpu_s, 3),
    events_per_cpu_s: round(r.timing.events / r.cpu_s),
    replay_events_per_s: round(r.timing.replay_events_per_s),
    peak_rss_mb: mb(r.max_rss_kb),
  };
}

function checks(t) {
  return {
    mutex_replay: { value: t.replay_events_per_s.mutex, target: TARGETS.mutex_replay_events_per_s, ok: t.replay_events_per_s.mutex >= TARGETS.mutex_replay_events_per_s },
    analyze_end_to_end: { value: t.analyze.events_per_s, target: TARGETS.analyze_events_per_s, ok: t.analyze.events_per_s >= TARGETS.analyze_events_per_s },
    peak_rss: { value_mb: t.analyze.peak_rss_mb, target_mb: TARGETS.peak_rss_mb, ok: t.analyze.peak_rss_mb <= TARGETS.peak_rss_mb },
  };
}

/** Atomic vs mutex replay as the VM grows: the atomic design's per-resolve scan is O(N). */
async function scaling() {
  const out = {};
  for (const n of [8, 64, 512]) {
    const trace = await ensureTrace(Number(opts['scaling-events']), n);
    const row = {};
    for (const v of ['mutex', 'atomic']) {
      log(`scaling: ${n} vCPUs, ${v}`);
      const r = await best(['analyze', trace, '--variant', v, '--json', '--timing']);
      row[v] = round(r.timing.replay_events_per_s);
    }
    row.atomic_over_mutex = round(row.atomic / row.mutex, 3);
    out[`${n}_vcpus`] = row;
  }
  return out;
}

/** The C reference on the same trace: speed, and equality of every figure both compute. */
async function qemuReference(trace, measured) {
  const pc = spawnSync('pkg-config', ['--cflags', '--libs', 'glib-2.0'], { encoding: 'utf8' });
  if (pc.status !== 0) return { skipped: 'glib-2.0 not found by pkg-config (apt-get install -y libglib2.0-dev pkg-config)' };
  const bin = join(CACHE, 'qemu-ref');
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(QEMU_REF_SRC).mtimeMs) {
    log('compiling scripts/bench/qemu-ref.c');
    const cc = spawnSync('cc', ['-O2', '-o', bin, QEMU_REF_SRC, ...pc.stdout.trim().split(/\s+/)], { encoding: 'utf8' });
    if (cc.status !== 0) return { skipped: `cc failed: ${cc.stderr.trim().split('\n')[0]}` };
  }
  const dump = trace.replace(/\.arrow$/, '.btdump');
  if (!existsSync(dump)) {
    log(`writing ${rel(dump)} for the C reference (once)`);
    await writeDump(trace, dump);
  }
  let c;
  for (let i = 0; i < REPEAT; i++) {
    log(`C reference (${i + 1}/${REPEAT})`);
    const r = await run(bin, [dump]);
    if (r.code !== 0) return { skipped: `qemu-ref failed: ${r.stderr.trim()}` };
    const res = JSON.parse(r.stdout);
    if (!c || res.replay_s < c.replay_s) c = res;
  }
  const ours = measured.mutexResult;
  const fields = ['total_blocktime_ns', 'vcpu_blocktime_ns', 'vcpu_faults', 'non_vcpu_faults', 'non_vcpu_blocktime_ns', 'latency_buckets'];
  const mismatches = fields.filter((f) => JSON.stringify(ours[f]) !== JSON.stringify(c[f]));
  if (ours.faults.unresolved !== c.unresolved) mismatches.push('faults.unresolved');
  if (ours.anomalies.negative_duration !== c.negative_duration) mismatches.push('anomalies.negative_duration');
  return {
    replay_s: c.replay_s,
    replay_cpu_s: c.replay_cpu_s,
    replay_events_per_s: c.replay_events_per_s,
    ours_mutex_replay_events_per_s: measured.replay_events_per_s.mutex,
    ours_over_c: round(measured.replay_events_per_s.mutex / c.replay_events_per_s, 2),
    results_equal: mismatches.length === 0,
    ...(mismatches.length > 0 ? { mismatched_fields: mismatches } : {}),
  };
}

/**
 * `analyze` of the trace as Parquet (`blocktime export`, once, cached) and as
 * Arrow, alternated so that both see the same load; the best of REPEAT each.
 * The ratios are Parquet's speed over Arrow's: by CPU seconds (the cost, what
 * a shared machine can measure) and by wall time.
 */
async function parquetBesideArrow(trace) {
  const parquet = trace.replace(/\.arrow$/, '.parquet');
  if (!existsSync(parquet)) {
    log(`exporting ${rel(parquet)} (once)`);
    const r = await run(process.execPath, [CLI, 'export', trace, parquet]);
    if (r.code !== 0) throw new Error(`export failed (${r.code}): ${r.stderr.trim()}`);
  }
  let arrow;
  let pq;
  const faster = (a, b) => (!a || b.cpu_s < a.cpu_s ? b : a);
  for (let i = 0; i < REPEAT; i++) {
    log(`analyze, Arrow then Parquet (${i + 1}/${REPEAT})`);
    arrow = faster(arrow, await runCli(['analyze', trace, '--json', '--timing']));
    pq = faster(pq, await runCli(['analyze', parquet, '--json', '--timing']));
  }
  if (pq.stdout !== arrow.stdout) throw new Error('analyze --json differs between the Arrow trace and its Parquet export');
  const figures = (r) => ({ cpu_s: round(r.cpu_s, 3), wall_s: round(r.wall_s, 3), read_s: round(r.timing.read_s, 3), peak_rss_mb: mb(r.max_rss_kb) });
  return {
    path: rel(parquet),
    bytes: statSync(parquet).size,
    arrow: figures(arrow),
    parquet: figures(pq),
    speed_vs_arrow_by_cpu: round(arrow.cpu_s / pq.cpu_s, 2),
    speed_vs_arrow_by_wall: round(arrow.wall_s / pq.wall_s, 2),
  };
}

/** The fastest of REPEAT runs of the CLI (by replay time, else total). */
async function best(args, what = args.join(' ')) {
  let pick;
  for (let i = 0; i < REPEAT; i++) {
    const r = await runCli(args);
    const key = (x) => (what === 'human report' ? x.timing.total_s : x.timing.replay_s);
    if (!pick || key(r) < key(pick)) pick = r;
  }
  return pick;
}

async function runCli(args) {
  const t0 = performance.now();
  const r = await run(process.execPath, [RUN_CLI, ...args]);
  const wall_s = (performance.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(`blocktime ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('{'));
  const parsed = lines.map((l) => JSON.parse(l));
  const timing = parsed.find((o) => 'replay_s' in o);
  const rss = parsed.find((o) => 'max_rss_kb' in o);
  if (!timing || !rss) throw new Error(`blocktime ${args.join(' ')}: no timing or RSS line on stderr`);
  return { timing, max_rss_kb: rss.max_rss_kb, cpu_s: rss.user_cpu_s + rss.system_cpu_s, wall_s, stdout: r.stdout };
}

function run(cmd, args, { stdout = 'pipe' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err }));
  });
}

function rel(p) {
  return p.startsWith(ROOT) ? p.slice(ROOT.length).replace(/^\//, '') : p;
}

main().catch((err) => {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exitCode = 1;
});
