import { UsageError } from '../errors.js';
import type { Generation } from '../import/qemu-log/scan.js';

/**
 * `--tolerance`: how far the replay may be from each figure QEMU reported,
 * as a fraction of that figure. Default: exact for QEMU >= 10.1 (its log
 * lines are written inside the accounting's critical sections); 1% for
 * <= 10.0, whose accounting raced with its own log.
 */
export function defaultTolerance(design: Generation): number {
  return design === 'mutex' ? 0 : 0.01;
}

export function parseTolerance(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === 'exact' || v === '0' || v === '0%') return 0;
  const m = /^(\d+(?:\.\d+)?)%$/.exec(v);
  if (!m) throw new UsageError(`--tolerance: expected a percentage of each figure (1%, 0.5%) or 0 / exact, got '${value}'`);
  return Number(m[1]) / 100;
}
