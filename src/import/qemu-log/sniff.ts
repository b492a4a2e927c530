/**
 * Whether text is a QEMU trace log, from its first lines: one of the first
 * 20 is a trace event line (with any of the prefixes prefix.ts reads, or
 * none) of a migration or postcopy event. The format registry asks this of
 * a file whose name says nothing.
 */

const QEMU_LINE = /^(?:\d+@\d+\.\d+:|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z )?[a-z][a-z0-9_]*(?: |$)/;
const QEMU_EVENT = /(?:^|[:Z ])(?:postcopy|mark_postcopy|get_mem_fault|migrat)/;

export function looksLikeQemuLog(lines: readonly string[]): boolean {
  return lines.slice(0, 20).some((l) => QEMU_LINE.test(l) && QEMU_EVENT.test(l));
}
