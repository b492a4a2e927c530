import { describe, expect, it } from 'vitest';
import { widen, type IntTarget, type IntValues } from '../../src/trace/arrow-widen.js';

const refuse = (i: number, value: string): never => {
  throw new Error(`row ${i}: ${value}`);
};
const run = (values: IntValues, target: IntTarget, isNull?: (i: number) => boolean) => Array.from(widen(values, target, isNull, refuse) as ArrayLike<number | bigint>);

describe('widen: other integer types to the model\'s, each value checked', () => {
  it('keeps every value that fits, at the limits of the target', () => {
    expect(run(BigInt64Array.of(0n, 4294967295n), 'uint32')).toEqual([0, 4294967295]);
    expect(run(BigInt64Array.of(-2147483648n, 2147483647n, -1n), 'int32')).toEqual([-2147483648, 2147483647, -1]);
    expect(run(BigUint64Array.of(0n, 2147483647n), 'int32')).toEqual([0, 2147483647]);
    expect(run(BigUint64Array.of(0n, 2n ** 63n - 1n), 'int64')).toEqual([0n, 2n ** 63n - 1n]);
    expect(run(BigInt64Array.of(0n, 2n ** 63n - 1n), 'uint64')).toEqual([0n, 2n ** 63n - 1n]);
    expect(run(Int32Array.of(-2147483648, 5), 'int64')).toEqual([-2147483648n, 5n]);
    expect(run(Uint32Array.of(4294967295), 'int64')).toEqual([4294967295n]);
    expect(run(Uint32Array.of(4294967295), 'uint64')).toEqual([4294967295n]);
    expect(run(Int8Array.of(-128, 127), 'int32')).toEqual([-128, 127]);
    expect(run(Uint16Array.of(65535), 'uint32')).toEqual([65535]);
    expect(run(Int16Array.of(2, 255), 'uint8')).toEqual([2, 255]);
    expect(run(BigInt64Array.of(1n), 'uint8')).toEqual([1]);
  });

  it('refuses the first value that does not fit, with its row and exact value', () => {
    expect(() => run(BigInt64Array.of(1n, 4294967296n), 'uint32')).toThrow('row 1: 4294967296');
    expect(() => run(BigInt64Array.of(-1n), 'uint32')).toThrow('row 0: -1');
    expect(() => run(BigInt64Array.of(2147483648n), 'int32')).toThrow('row 0: 2147483648');
    expect(() => run(BigInt64Array.of(-2147483649n), 'int32')).toThrow('row 0: -2147483649');
    expect(() => run(BigUint64Array.of(2147483648n), 'int32')).toThrow('row 0: 2147483648');
    expect(() => run(BigUint64Array.of(2n ** 63n), 'int64')).toThrow('row 0: 9223372036854775808');
    expect(() => run(BigInt64Array.of(-4096n), 'uint64')).toThrow('row 0: -4096');
    expect(() => run(Int32Array.of(-1), 'uint64')).toThrow('row 0: -1');
    expect(() => run(Uint32Array.of(2147483648), 'int32')).toThrow('row 0: 2147483648');
    expect(() => run(Int16Array.of(256), 'uint8')).toThrow('row 0: 256');
    expect(() => run(BigInt64Array.of(256n), 'uint8')).toThrow('row 0: 256');
  });

  it('does not check null cells, whatever their bits', () => {
    expect(run(BigInt64Array.of(-1n, 7n), 'uint32', (i) => i === 0)).toEqual([0, 7]);
    expect(run(Int32Array.of(-1, 7), 'uint64', (i) => i === 0)[1]).toBe(7n);
  });

  it('a 64-bit column of the other signedness is a view of the same buffer', () => {
    const values = BigUint64Array.of(1n, 2n);
    expect(widen(values, 'int64', undefined, refuse).buffer).toBe(values.buffer);
  });
});
