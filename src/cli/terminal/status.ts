/**
 * The status lines of commands that write files, one convention for all:
 * `wrote FILE (SIZE)` on stderr once FILE is complete, none for stdout;
 * `-q` silences them, `-v` adds a last line with the command's wall time,
 * CPU time and peak memory, from the process's start. Stdout stays for what
 * the command reports (docs/trace-format.md#what-the-reports-print).
 */
import { stat } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { formatBytes, formatDuration } from '../../units.js';
import type { StatusOptionValues } from '../options/status-options.js';

export interface Status {
  /** Says that `path` was written, with its size; nothing for `-` (stdout). */
  wrote(path: string): Promise<void>;
  /** With -v, the timing line. */
  done(): void;
}

export function createStatus(command: string, opts: StatusOptionValues, out: NodeJS.WritableStream = process.stderr): Status {
  if (opts.quiet && opts.verbose) throw new UsageError('give -q (--quiet) or -v (--verbose), not both');
  return {
    async wrote(path) {
      if (opts.quiet || path === '-') return;
      out.write(`wrote ${path} (${formatBytes((await stat(path)).size)})\n`);
    },
    done() {
      if (!opts.verbose) return;
      // From the process's start: loading the modules is part of what the user waited for.
      const cpu = process.cpuUsage();
      const wallNs = Math.round(process.uptime() * 1e9);
      const cpuNs = (cpu.user + cpu.system) * 1000;
      // maxRSS is in KiB.
      out.write(`${command}: ${formatDuration(wallNs)} (CPU ${formatDuration(cpuNs)}, peak memory ${formatBytes(process.resourceUsage().maxRSS * 1024)})\n`);
    },
  };
}
