/**
 * `-q/--quiet` and `-v/--verbose` of every command that writes a file
 * (capture, convert, export, import, query -o, report): the one convention
 * for what they say about it on stderr (src/cli/terminal/status.ts).
 */
import type { Command } from 'commander';

export interface StatusOptionValues {
  quiet?: boolean;
  verbose?: boolean;
}

export function addStatusOptions(cmd: Command): Command {
  return cmd
    .option('-q, --quiet', "say nothing on stderr about the files written (errors and warnings still)")
    .option('-v, --verbose', 'also print how long the command took, its CPU time and peak memory, on stderr');
}
