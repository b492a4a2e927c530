/** The `--expect` verdict as text: one table of figures, then the explanation. */
import type { CheckResult } from '../../check/check.js';
import type { FigureCheck } from '../../check/figures.js';

function label(f: FigureCheck): string {
  const idx = f.index === undefined ? '' : `[${f.index}]`;
  return `${f.figure}${idx} (${f.unit})`;
}

function num(v: number | null): string {
  return v === null ? '-' : String(v);
}

function signed(v: number | null): string {
  return v === null ? '-' : v > 0 ? `+${v}` : String(v);
}

function pct(t: number): string {
  return t === 0 ? 'exact' : `${+(t * 100).toFixed(6)}%`;
}

export function renderCheck(r: CheckResult): string {
  const out: string[] = [];
  const status = r.status ? `, status ${r.status}` : '';
  out.push(`${r.trace} against ${r.expect} (${r.expect_form.toUpperCase()}${status})`);
  out.push(
    `QEMU ${r.qemu}: replayed with the ${r.design} design (from the ${r.design_from}); N = ${r.vcpus} (from the ${r.vcpus_from === 'option' ? '--vcpus option' : r.vcpus_from === 'expect' ? 'reported per-vCPU list' : 'trace'}); tolerance ${pct(r.tolerance)}`,
  );
  out.push('');
  // Histogram buckets where everyone says 0 are noise; everything else is shown.
  const rows = r.figures.filter((f) => !(f.figure === 'postcopy-latency-dist' && f.ok !== false && f.qemu === 0 && (f.replay ?? 0) === 0 && (f.exact ?? 0) === 0));
  const header = ['figure', 'QEMU', r.design, 'diff', 'exact', ''];
  const table = rows.map((f) => [label(f), num(f.qemu), num(f.replay), signed(f.diff), num(f.exact), f.ok === null ? 'not computed by this design' : f.ok ? 'ok' : 'MISMATCH']);
  // reduce, not Math.max(...list): a reported list of 200k vCPUs would overflow the stack as arguments.
  const widths = header.map((h, c) => table.reduce((w, row) => Math.max(w, row[c]!.length), h.length));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === 0 || c === cells.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  out.push(line(header));
  for (const row of table) out.push(line(row));
  const hidden = r.figures.length - rows.length;
  if (hidden > 0) out.push(`(${hidden} latency buckets at 0 everywhere not shown)`);
  out.push('');
  const vq = r.figures.filter((f) => f.figure === 'postcopy-vcpu-blocktime');
  const missed = vq.reduce((a, f) => a + ((f.exact ?? f.qemu) - f.qemu), 0);
  if (vq.length > 0) {
    out.push(`exact - QEMU: ${signed(missed)} ms of vCPU blocktime summed over vCPUs (positive: waits the trace shows that QEMU's accounting dropped).`);
  }
  if (r.mapping) {
    const m = r.mapping;
    const rules: string[] = [];
    if (m.faults_retimed) rules.push(`${m.faults_retimed} faults retimed to QEMU's clock`);
    if (m.resolves_moved) rules.push(`${m.resolves_moved} resolves moved before faults QEMU saw as already received`);
    if (m.resolves_not_found) rules.push(`${m.resolves_not_found} already-received faults without a later resolve`);
    if (m.place_resolves_dropped) rules.push(`${m.place_resolves_dropped} place-line resolves dropped`);
    if (m.races) rules.push(`${m.races} end lines that ran between a fault's inject and its erase (erase rows added)`);
    if (rules.length > 0) out.push(`import: ${rules.join('; ')}.`);
  }
  if (r.race) out.push(`race: ${r.race.message}.`);
  if (r.running_total) {
    const t = r.running_total;
    const c = t.causes;
    out.push(
      t.parted === 0
        ? `running total: equal to QEMU's at all ${t.end_lines} end lines.`
        : `running total: equal to QEMU's at ${t.equal} of ${t.end_lines} end lines; parted at ${t.parted} (phase ${c.phase}, race ${c.race}, unknown ${c.unknown}).`,
    );
  }
  if (r.undecided) {
    const u = r.undecided;
    out.push(
      `undecided: ${u.rows} rows the log cannot decide (${u.races_undecided} end lines among racing faults on one page, ${u.ends_unexplained} end lines the faults do not explain, ${u.resolves_not_found + u.begins_without_request} faults with lines missing); QEMU's postcopy-blocktime lies in [${u.total_ms_range[0]}, ${u.total_ms_range[1]}] ms.`,
    );
  }
  if (r.pass) {
    out.push(`PASS: ${r.compared} figures agree with QEMU ${r.tolerance === 0 ? 'exactly' : `within ${pct(r.tolerance)}`}.`);
  } else if (r.compared === 0) {
    out.push(`MISMATCH: no figure QEMU reported is computed by the ${r.design} design.`);
  } else {
    out.push(`MISMATCH: ${r.mismatches} of ${r.compared} figures differ from QEMU by more than ${pct(r.tolerance)}.`);
    if (r.explain === undefined && r.explain_unavailable === undefined) out.push('(--explain 10 names the first events where the replay and QEMU\'s own accounting lines disagree)');
  }
  if (r.explain_unavailable) out.push(`explain: ${r.explain_unavailable}`);
  if (r.explain) {
    out.push('');
    if (r.explain.length === 0) {
      out.push("explain: the replay agrees with every one of QEMU's accounting lines.");
    } else {
      out.push(`explain: the first ${r.explain.length} rows where the replay and QEMU's accounting lines disagree:`);
      for (const d of r.explain) {
        out.push(`  row ${d.row} (log line ${d.line}) ${d.event} ${d.page}: ${d.field} QEMU ${d.qemu}, replay ${d.replay}`);
        out.push(`    ${d.why}`);
      }
    }
  }
  return out.join('\n') + '\n';
}
