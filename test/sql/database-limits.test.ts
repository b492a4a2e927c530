import { describe, it, expect } from 'vitest';
import { MEMORY_CAP, databaseLimits, limitSettings, loadsOnDisk } from '../../src/sql/database-limits.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe('databaseLimits', () => {
  it('gives DuckDB a quarter of RAM, at most the cap, and a thread per core while each keeps enough memory', () => {
    expect(databaseLimits({ totalMemory: 64 * GiB, cpus: 16 })).toEqual({ memoryBytes: MEMORY_CAP, threads: 8 });
    expect(databaseLimits({ totalMemory: 24 * GiB, cpus: 2 })).toEqual({ memoryBytes: MEMORY_CAP, threads: 2 });
    expect(databaseLimits({ totalMemory: 2 * GiB, cpus: 8 })).toEqual({ memoryBytes: 512 * MiB, threads: 4 });
    expect(databaseLimits({ totalMemory: 256 * MiB, cpus: 4 })).toEqual({ memoryBytes: 128 * MiB, threads: 1 });
  });

  it('gives up a quarter of the trace file size, for what DuckDB allocates outside its limit, down to 384 MiB', () => {
    const machine = { totalMemory: 24 * GiB, cpus: 2 };
    expect(databaseLimits(machine, 400 * MiB).memoryBytes).toBe(MEMORY_CAP - 100 * MiB);
    expect(databaseLimits(machine, 2.5 * GiB).memoryBytes).toBe(384 * MiB);
    // A machine that gives less than that keeps its own figure.
    expect(databaseLimits({ totalMemory: GiB, cpus: 2 }, 2.5 * GiB).memoryBytes).toBe(256 * MiB);
  });

  it("as DuckDB's settings", () => {
    expect(limitSettings({ memoryBytes: 512 * MiB, threads: 3 })).toEqual({ memory_limit: '512MiB', threads: '3' });
  });

  it('puts a large trace, or one of unknown size, in a database file', () => {
    const limits = { memoryBytes: GiB, threads: 2 };
    expect(loadsOnDisk(10 * MiB, limits)).toBe(false);
    expect(loadsOnDisk(500 * MiB, limits)).toBe(true);
    expect(loadsOnDisk(undefined, limits)).toBe(true);
  });
});
