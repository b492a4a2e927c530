import { Chalk, supportsColor, type ChalkInstance } from 'chalk';

/**
 * A chalk instance for one output stream. Colors only when that stream is a
 * terminal and NO_COLOR is unset (https://no-color.org); FORCE_COLOR turns
 * them on anyway, for pagers like `less -R`. A private instance, not chalk's
 * global, so that stdout and stderr can differ and tests can choose.
 */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  return new Chalk({ level: colorLevel(stream, env) });
}

export function colorLevel(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const forced = env.FORCE_COLOR;
  if (forced !== undefined && forced !== '0' && forced !== 'false') {
    const n = Number.parseInt(forced, 10);
    return Number.isInteger(n) && n >= 1 && n <= 3 ? (n as 1 | 2 | 3) : 1;
  }
  if (!stream.isTTY) return 0;
  return supportsColor ? supportsColor.level : 1;
}

/** Styles off: for plain text (files, JSON side channels, tests). */
export const plain: ChalkInstance = new Chalk({ level: 0 });

// Matches the SGR sequences chalk emits, to measure what the terminal shows.
const SGR = /\x1b\[[0-9;]*m/g;

export function visibleLength(s: string): number {
  return s.replace(SGR, '').length;
}
