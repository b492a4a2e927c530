/**
 * QEMU trace logs (the destination's `-trace` output), imported on the fly
 * by src/import/qemu-log/: two passes over the file, so never a pipe.
 */
import { UsageError } from '../errors.js';
import { looksLikeQemuLog } from '../import/qemu-log/sniff.js';
import type { FormatEntry } from './format.js';

export const QEMU_LOG = {
  name: 'qemu-log',
  title: 'QEMU trace log',
  extensions: ['.log'],
  sniff: looksLikeQemuLog,
  async open(input, opts) {
    if (input.pipe) throw new UsageError(`${input.name}: a QEMU log is read twice (its vCPUs and clock first, then its rows); give a file, not a pipe`);
    const { openQemuLog } = await import('../import/qemu-log/source.js');
    const log = await openQemuLog(input, opts);
    return { reader: log, qemu: log };
  },
} as const satisfies FormatEntry;
