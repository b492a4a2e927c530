import type { ChalkInstance } from 'chalk';
import type { PhaseFigure } from '../../latency/phase-figures.js';
import { formatCount, formatDuration } from '../../units.js';
import { renderTable, type Column } from './table.js';

/** `analyze`'s phases block: each state's start (from the first), duration, faults and blocktime. */
export function renderPhases(phases: readonly PhaseFigure[], c: ChalkInstance): string {
  const origin = phases.reduce((m, p) => (BigInt(p.start_ns) < m ? BigInt(p.start_ns) : m), BigInt(phases[0]!.start_ns));
  const columns: Column[] = [
    { header: 'side', align: 'left' },
    { header: 'phase', align: 'left' },
    { header: 'start', align: 'right' },
    { header: 'duration', align: 'right' },
    { header: 'faults', align: 'right' },
    { header: 'blocktime', align: 'right' },
  ];
  const rows = phases.map((p) => [p.side, p.state, formatDuration(Number(BigInt(p.start_ns) - origin)), formatDuration(p.duration_ns), formatCount(p.faults), formatDuration(p.blocktime_ns)]);
  return ['', c.bold('Phases') + c.dim(' (migrate_set_state; start from the first)'), ...renderTable(columns, rows)].join('\n') + '\n';
}
