import { describe, it, expect } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EventAppender } from '../../src/sql/event-appender.js';
import { createTraceTables, writeTraceMeta } from '../../src/sql/trace-tables.js';
import { createViews } from '../../src/sql/views.js';
import type { TraceBatch } from '../../src/trace/batch.js';
import { WORKED_EXAMPLES, batchFromRows, type Row } from './worked-examples.js';

/** A database with the events of `batches` and the views, without the replay (its tables stay empty). */
async function viewsOver(batches: TraceBatch[], vcpus: number, pageSize = 4096): Promise<DuckDBConnection> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  await createTraceTables(connection);
  const appender = await EventAppender.open(connection);
  for (const b of batches) appender.append(b);
  appender.close();
  await writeTraceMeta(connection, { path: 'hand-made', format: 'test', pageSize, vcpus, events: appender.rows, firstNs: null, minNs: null, maxNs: null });
  await createViews(connection);
  return connection;
}

async function rows(connection: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql)).getRowsJS();
}

/** Per-vCPU sums of blocked_intervals (0 for a vCPU never blocked) and the all-down sum, as numbers. */
async function sums(connection: DuckDBConnection, vcpus: number): Promise<{ vcpu: number[]; total: number }> {
  const perCpu = await rows(
    connection,
    `SELECT c.cpu, coalesce(sum(b.end_ns - b.start_ns), 0)::BIGINT
     FROM range(${vcpus}) AS c(cpu) LEFT JOIN blocked_intervals AS b ON b.cpu = c.cpu
     GROUP BY c.cpu ORDER BY c.cpu`,
  );
  const [[total]] = (await rows(connection, 'SELECT coalesce(sum(end_ns - start_ns), 0)::BIGINT FROM all_down_intervals')) as [[bigint]];
  return { vcpu: perCpu.map((r) => Number(r[1] as bigint)), total: Number(total) };
}

function vcpuCount(rs: readonly Row[]): number {
  return Math.max(...rs.filter((r) => r[1] === 'vcpu').map((r) => r[4]!)) + 1;
}

describe('views over the worked examples of docs/blocktime.md', () => {
  for (const ex of WORKED_EXAMPLES) {
    it(`${ex.name}: blocked_intervals and all_down_intervals sum to the exact figures`, async () => {
      const n = vcpuCount(ex.rows);
      const connection = await viewsOver([batchFromRows(ex.rows)], n);
      expect(await sums(connection, n)).toEqual({ vcpu: ex.exact.vcpu_blocktime_ns, total: ex.exact.total_blocktime_ns });
    });
  }

  it('the same sums when the trace arrives in many small batches', async () => {
    const ex = WORKED_EXAMPLES[0]!;
    const batches = ex.rows.map((r, i) => batchFromRows([r], i));
    const connection = await viewsOver(batches, 3);
    expect(await sums(connection, 3)).toEqual({ vcpu: ex.exact.vcpu_blocktime_ns, total: ex.exact.total_blocktime_ns });
    expect(await rows(connection, 'SELECT min(seq), max(seq), count(DISTINCT seq) FROM events')).toEqual([[0n, 10n, 11n]]);
  });
});

describe('faults', () => {
  it('classifies faults as the mutex variant does and closes them as exact does (example 4, then 5)', async () => {
    const ex4 = WORKED_EXAMPLES[3]!;
    const connection = await viewsOver([batchFromRows(ex4.rows)], 2);
    expect(
      await rows(connection, 'SELECT seq, tid, cpu, page, status, resolve_seq, closed_by, end_t_ns, latency_ns FROM faults ORDER BY seq'),
    ).toEqual([
      [2n, 201, 0, 0x1000n, 'counted', 6n, 'next_fault', 3_000_000n, 3_000_000n],
      [4n, 201, 0, 0x2000n, 'already_received', null, null, null, null],
      [5n, 202, 1, 0x3000n, 'counted', 7n, 'resolve', 12_000_000n, 7_000_000n],
    ]);
    const ex5 = WORKED_EXAMPLES[4]!;
    const c5 = await viewsOver([batchFromRows(ex5.rows)], 1);
    expect(await rows(c5, 'SELECT tid, cpu, status, resolve_t_ns, latency_ns FROM faults ORDER BY seq')).toEqual([
      [999, -1, 'counted', 8_000_000n, 8_000_000n],
      [0, -1, 'no_tid', 9_000_000n, null],
      [301, 0, 'counted', 9_000_000n, 5_000_000n],
    ]);
  });

  it('keeps 64-bit addresses exact and rounds them down to the page size', async () => {
    const high = 0xffff_8000_1234_5678n;
    const connection = await viewsOver(
      [batchFromRows([[0, 'vcpu', 7, 0n, 0], [1, 'fault', 7, high], [2, 'resolve', 0, high & ~0x1fffffn]])],
      1,
      2 * 1024 * 1024,
    );
    expect(await rows(connection, 'SELECT addr FROM events WHERE kind = \'fault\'')).toEqual([[high]]);
    expect(await rows(connection, 'SELECT page, status, latency_ns FROM faults')).toEqual([[high & ~0x1fffffn, 'counted', 1_000_000n]]);
  });

  it('leaves a fault open when nothing closes it, and out of blocked_intervals', async () => {
    const connection = await viewsOver([batchFromRows([[0, 'vcpu', 5, 0n, 0], [1, 'fault', 5, 0x1000n], [2, 'resolve', 0, 0x9000n]])], 1);
    expect(await rows(connection, 'SELECT status, closed_by, end_t_ns, latency_ns FROM faults')).toEqual([['counted', null, null, null]]);
    expect(await rows(connection, 'SELECT count(*) FROM blocked_intervals')).toEqual([[0n]]);
  });
});

describe('blocked_intervals and all_down_intervals', () => {
  it('merge overlapping and touching waits of one vCPU into runs', async () => {
    // cpu 0 waits on A from 0 until its next fault at 4, on B until 10, then on C [10, 12), which touches
    // the run; later [20, 25). cpu 1 waits [3, 22).
    const connection = await viewsOver(
      [
        batchFromRows([
          [0, 'vcpu', 1, 0n, 0], [0, 'vcpu', 2, 0n, 1],
          [0, 'fault', 1, 0x1000n], [4, 'fault', 1, 0x2000n], [10, 'resolve', 0, 0x2000n], [10, 'fault', 1, 0x3000n],
          [12, 'resolve', 0, 0x3000n], [20, 'fault', 1, 0x4000n], [25, 'resolve', 0, 0x4000n],
          [3, 'fault', 2, 0x5000n], [22, 'resolve', 0, 0x5000n],
        ]),
      ],
      2,
    );
    expect(await rows(connection, 'SELECT cpu, start_ns, end_ns FROM blocked_intervals ORDER BY cpu, start_ns')).toEqual([
      [0, 0n, 12_000_000n],
      [0, 20_000_000n, 25_000_000n],
      [1, 3_000_000n, 22_000_000n],
    ]);
    expect(await rows(connection, 'SELECT start_ns, end_ns FROM all_down_intervals ORDER BY start_ns')).toEqual([
      [3_000_000n, 12_000_000n],
      [20_000_000n, 22_000_000n],
    ]);
  });

  it('count an all-down window that a wait still open at the end was part of, once another wait ends it', async () => {
    const connection = await viewsOver(
      [batchFromRows([[0, 'vcpu', 1, 0n, 0], [0, 'vcpu', 2, 0n, 1], [10, 'fault', 1, 0x1000n], [12, 'fault', 2, 0x2000n], [20, 'resolve', 0, 0x2000n], [25, 'fault', 2, 0x3000n]])],
      2,
    );
    expect(await rows(connection, 'SELECT cpu, start_ns, end_ns FROM blocked_intervals')).toEqual([[1, 12_000_000n, 20_000_000n]]);
    // cpu 0 is down from 10 to the end, cpu 1 from 12 to 20 and from 25 on: [12, 20) counts, [25, end) does not.
    expect(await rows(connection, 'SELECT start_ns, end_ns FROM all_down_intervals')).toEqual([[12_000_000n, 20_000_000n]]);
  });

  it('never count a window when a declared vCPU never blocks, nor when N is larger than the cpus seen', async () => {
    const ex = WORKED_EXAMPLES[0]!;
    const connection = await viewsOver([batchFromRows(ex.rows)], 4);
    expect(await sums(connection, 4)).toEqual({ vcpu: [...ex.exact.vcpu_blocktime_ns, 0], total: 0 });
  });
});
