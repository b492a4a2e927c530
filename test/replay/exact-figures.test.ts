import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkExactFigures } from '../../src/replay/exact-figures.js';

describe('checkExactFigures: a result whose figures are all exact passes, any other is refused naming the figure', () => {
  it('passes figures up to 2^53 - 1 in magnitude, in nested objects and lists', () => {
    expect(() => checkExactFigures({ a: 2 ** 53 - 1, b: [-(2 ** 53 - 1), 0.5], c: { d: [1, { e: 2 }] }, s: 'x', n: null }, 't.csv', 'mutex')).not.toThrow();
  });

  it('refuses the first figure past it, with its path', () => {
    const err = (() => {
      try {
        checkExactFigures({ total: 1, vcpu: [1, 2, 2 ** 53] }, 't.csv', 'exact');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('t.csv: exact.vcpu[2] comes to about 9.007e+15, beyond 2^53 (104 days in ns), where it cannot be given exactly; expected a trace whose figures stay below that');
  });

  it('ratios are not figures to the nanosecond', () => {
    expect(() => checkExactFigures({ mutex: { ns: 1, diff_pct: 1e20 } }, 't.csv', 'compare')).not.toThrow();
  });
});
