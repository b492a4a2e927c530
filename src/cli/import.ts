import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { importQemuLog, type ImportReport } from '../formats/import-log.js';
import type { WritableFormat } from '../formats/registry.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { OUTPUT_TRACE, addOutputFormatOption, parsePageSize, parseVcpus } from './options/trace-options.js';
import { addStatusOptions, type StatusOptionValues } from './options/status-options.js';
import { createStatus } from './terminal/status.js';
import { formatCount } from '../units.js';
import { withExamples } from './help-examples.js';
import { CLOCK_HELP, CLOCK_OFFSET_HELP, parseClockAssumption, parseClockOffset, type ClockAssumption } from './options/clock-options.js';

interface ImportOptions extends StatusOptionValues {
  output: string;
  qemuVersion?: string;
  vcpus?: number;
  pageSize?: number;
  lenient?: boolean;
  accounting: boolean;
  json?: boolean;
  outputFormat?: WritableFormat;
  source?: string;
  clockOffset?: bigint;
  clock: ClockAssumption;
}

export function register(program: Command): void {
  const cmd = program.command('import').description('Turn a foreign trace into a blocktime trace file.');
  const sub = cmd
    .command('qemu-log')
    .description("Import a QEMU trace log (the destination's -trace output, plain, gzipped or zstd) as a trace, with QEMU's own accounting lines beside it.")
    .argument('<log>', 'QEMU log written with -msg timestamp=on -D FILE (gzip and zstd read as such)')
    .requiredOption('-o, --output <trace>', `trace to write: ${OUTPUT_TRACE} (the accounting goes to <trace>.qemu.arrow)`);
  addOutputFormatOption(sub)
    .option('--qemu-version <v>', 'the QEMU that wrote the log (e.g. 7.2, 10.1), when the events present do not tell')
    .option('--vcpus <n>', "the VM's vCPU count (QEMU <= 10.0 logs only name the vCPUs that faulted)", parseVcpus)
    .option('--page-size <bytes>', 'page size of the trace (default 4096)', parsePageSize)
    .option('--lenient', 'count malformed lines of known events instead of stopping at the first')
    .addOption(new Option('--no-accounting', 'do not write the <trace>.qemu.arrow side table'))
    .option('--json', 'print the import report as one JSON object on stdout')
    .option('--source <src-log>', "the source QEMU's log of the same migration: each fault's legs go to <trace>.migration.json (see blocktime latency)")
    .option('--clock-offset <duration>', `with --source: ${CLOCK_OFFSET_HELP}`, parseClockOffset)
    .addOption(new Option('--clock <how>', `with --source: ${CLOCK_HELP}`).default('auto').argParser(parseClockAssumption));
  addStatusOptions(sub)
    .action((log: string, opts: ImportOptions) => run(log, opts));
  withExamples(sub, [
    'blocktime import qemu-log dst-trace.log -o trace.arrow',
    ['blocktime import qemu-log dst-trace.log.gz -o trace.arrow --vcpus 4', 'N, which QEMU <= 10.0 logs do not give'],
    ['blocktime import qemu-log dst.log -o joined.arrow --source src.log', 'each fault followed across both logs'],
  ]);
  withExamples(cmd, ['blocktime import qemu-log dst-trace.log -o trace.arrow', 'blocktime import qemu-log --help']);
}

async function run(log: string, opts: ImportOptions): Promise<void> {
  const status = createStatus('import', opts);
  if (opts.output === '-' && opts.source !== undefined) throw new UsageError('--source: the joined faults go to <trace>.migration.json beside the trace; give -o a file, not -');
  const { prepareImportMigration } = await import('../latency/trace-migration.js');
  const migration = opts.output === '-' ? undefined : await prepareImportMigration(log, opts.source, {
    clock: opts.clock,
    ...(opts.clockOffset !== undefined ? { clockOffsetNs: opts.clockOffset } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
  });
  const progress = createTraceProgress('import', 'bytes');
  let report: ImportReport & { migration?: string };
  try {
    report = await importQemuLog(log, opts.output, {
      ...(opts.qemuVersion !== undefined ? { qemuVersion: opts.qemuVersion } : {}),
      ...(opts.vcpus !== undefined ? { vcpus: opts.vcpus } : {}),
      ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
      ...(opts.lenient ? { lenient: true } : {}),
      ...(opts.outputFormat ? { to: opts.outputFormat } : {}),
      accounting: opts.accounting,
      onWarning: progress.onWarning,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.done();
  }
  if (migration !== undefined) {
    const written = await migration.write(opts.output, report.source);
    if (written !== undefined) report.migration = written;
  }
  // `-o -` streams the trace itself on stdout: the report goes to stderr then.
  const out = opts.output === '-' ? process.stderr : process.stdout;
  out.write(opts.json ? JSON.stringify(report) + '\n' : renderImport(log, report, opts.source !== undefined));
  await status.wrote(report.output);
  if (report.accounting) await status.wrote(report.accounting);
  if (report.migration) await status.wrote(report.migration);
  status.done();
}

function renderImport(log: string, r: ImportReport & { migration?: string }, joined: boolean): string {
  const s = r.source as {
    qemu: string;
    detected_from: string;
    prefix: string;
    lines: number;
    events: Record<string, number>;
    skipped: { not_events: number; other_generation: number; malformed: number };
    vcpus_from: string;
    qemu_clock?: { phase_ns: number; uncertainty_ns: number; begin_lines: number };
  };
  const m = r.mapping;
  const out: string[] = [];
  const n = formatCount;
  out.push(`${log}: QEMU ${s.qemu} (from ${s.detected_from}), prefix ${s.prefix}, ${n(s.lines)} lines`);
  for (const [name, k] of Object.entries(s.events)) out.push(`  ${n(k).padStart(10)}  ${name}`);
  const skipped = [`${n(s.skipped.not_events)} not postcopy events`];
  if (s.skipped.other_generation > 0) skipped.push(`${n(s.skipped.other_generation)} of the other QEMU generation`);
  if (s.skipped.malformed > 0) skipped.push(`${n(s.skipped.malformed)} malformed (--lenient)`);
  out.push(`  skipped: ${skipped.join(', ')}`);
  out.push(
    `trace ${r.output}: ${n(m.rows.vcpu)} vcpu, ${n(m.rows.fault)} fault, ${n(m.rows.resolve)} resolve${m.rows.erase > 0 ? `, ${n(m.rows.erase)} erase` : ''} rows; N = ${r.vcpus ?? 'highest cpu + 1'} (${s.vcpus_from})` +
      (r.start_ns !== undefined ? `, start_ns ${r.start_ns}` : ''),
  );
  const c = s.qemu_clock;
  if (c) {
    const us = (ns: number): string => `${+(ns / 1000).toFixed(3)} us`;
    out.push(
      `  QEMU's clock: ${c.phase_ns > 0 ? `rows moved back by its phase, ${us(c.phase_ns)}` : 'phase not pinned, rows on the prefix clock'}; the ${c.begin_lines} begin lines bound it to ${us(c.uncertainty_ns)}`,
    );
  }
  const rules: string[] = [];
  if (m.faults_retimed) rules.push(`${n(m.faults_retimed)} faults moved into their begin line's millisecond`);
  if (m.resolves_moved) rules.push(`${n(m.resolves_moved)} resolves moved before a fault QEMU saw as already received`);
  if (m.resolves_not_found) rules.push(`${n(m.resolves_not_found)} already-received faults without a later resolve`);
  if (m.resolves_before_inject) rules.push(`${n(m.resolves_before_inject)} resolves moved before a fault QEMU injected after accounting them`);
  if (m.races) rules.push(`${n(m.races)} end lines that ran between a fault's inject and its erase (erase rows added)`);
  if (m.races_undecided) rules.push(`${n(m.races_undecided)} of them undecided (racing faults on one page)`);
  if (m.ends_unexplained) rules.push(`${n(m.ends_unexplained)} end lines whose affected_cpu the log's faults do not explain`);
  if (m.place_resolves) rules.push(`${n(m.place_resolves)} place-only resolves`);
  if (m.place_resolves_dropped) rules.push(`${n(m.place_resolves_dropped)} of them dropped (a begin line followed)`);
  if (m.begins_without_request) rules.push(`${n(m.begins_without_request)} begin lines without a request line`);
  if (m.begins_unknown_cpu) rules.push(`${n(m.begins_unknown_cpu)} begin lines naming an undeclared cpu`);
  if (rules.length > 0) out.push(`  mapping: ${rules.join('; ')}`);
  if (r.accounting) out.push(`accounting ${r.accounting}: QEMU's accounting lines, one record per trace row`);
  if (r.migration) out.push(`migration ${r.migration}: the migration's phases${joined ? ', and each fault followed across both logs' : ''}`);
  return out.join('\n') + '\n';
}
