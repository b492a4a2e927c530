import { visibleLength } from './style.js';

export interface Column {
  header: string;
  /** Numbers right, names left. */
  align: 'left' | 'right';
}

/**
 * A plain aligned table: a header row, an underline, then the rows. Cells may
 * already carry colors; widths are measured on what the terminal shows.
 * `separatorBefore` draws a rule above the given row indexes (for totals).
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  opts: { indent?: string; separatorBefore?: readonly number[]; styleHeader?: (s: string) => string } = {},
): string[] {
  const indent = opts.indent ?? '  ';
  // reduce, not Math.max(...rows): one row per vCPU can be more rows than a call takes arguments.
  const widths = columns.map((c, i) => rows.reduce((w, r) => Math.max(w, visibleLength(r[i] ?? '')), visibleLength(c.header)));
  const gap = '  ';
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((cell, i) => pad(cell, widths[i]!, columns[i]!.align))
      .join(gap)
      .trimEnd();
  const rule = indent + widths.map((w) => '─'.repeat(w)).join(gap);
  const header = line(columns.map((c) => c.header));
  const out = [opts.styleHeader ? opts.styleHeader(header) : header, rule];
  const separators = new Set(opts.separatorBefore ?? []);
  rows.forEach((r, i) => {
    if (separators.has(i)) out.push(rule);
    out.push(line(r));
  });
  return out;
}

function pad(cell: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleLength(cell)));
  return align === 'right' ? fill + cell : cell + fill;
}
