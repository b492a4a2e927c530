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
