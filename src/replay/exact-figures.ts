/**
 * Every figure a replay gives is a count or a whole number of nanoseconds
 * held in a double, exact below 2^53. Times enter as offsets below 2^53
 * (the engine refuses the rest), but sums and differences of them can pass
 * it (the blocktimes of many vCPUs added up): such a figure would be printed
 * rounded, so the result is refused instead, naming the figure.
 */
import { InputError } from '../errors.js';

/** Keys of ratios, which are not figures to the nanosecond. */
const RATIOS = new Set(['diff_pct']);

/** Throws an InputError for the first number in `value` (an object of figures) beyond 2^53 in magnitude. */
export function checkExactFigures(value: unknown, file: string, path: string): void {
  if (typeof value === 'number') {
    if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
      throw new InputError(
        { file },
        `${path} comes to about ${value.toPrecision(4)}, beyond 2^53 (104 days in ns), where it cannot be given exactly; expected a trace whose figures stay below that`,
      );
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkExactFigures(value[i], file, `${path}[${i}]`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) if (!RATIOS.has(k)) checkExactFigures(v, file, path === '' ? k : `${path}.${k}`);
  }
}
