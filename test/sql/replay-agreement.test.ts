/**
 * The views and the replay engine are two independent implementations of the
 * `exact` definition (SQL windows over the whole trace; a one-pass state
 * machine): on every fixture and on simulated traces of every scenario, the
 * per-vCPU sums of blocked_intervals and the sum of all_down_intervals must
 * equal the replay's figures to the nanosecond. Both ways a load can give
 * them: the tables the load fills in its pass (derived-tables.ts), and the
 * views as SQL (`materialize: false`, the text `--print-views` prints).
 */
import { describe, it, expect } from 'vitest';
import { memoryConnection } from './memory-connection.js';
import { readdirSync } from 'node:fs';
import { loadBatches, loadTrace } from '../../src/sql/load.js';
import { dropTraceTables } from '../../src/sql/trace-tables.js';
import { openTrace } from '../../src/formats/open.js';
import { createSimulator } from '../../src/capture/sim/capture.js';
import { SCENARIO_NAMES } from '../../src/capture/sim/scenarios.js';
import { subBatch, type TraceBatch } from '../../src/trace/batch.js';

const db = memoryConnection();

/** Rows where the views and the exact replay disagree: (cpu or NULL for the total, sql_ns, replay_ns). */
const DISAGREEMENTS = `
  WITH n AS (SELECT vcpus FROM trace_meta),
  per_cpu AS (
    SELECT c.cpu, coalesce(sum(b.end_ns - b.start_ns), 0) AS sql_ns
    FROM n, range(n.vcpus) AS c(cpu) LEFT JOIN blocked_intervals AS b ON b.cpu = c.cpu
    GROUP BY c.cpu
  ),
  total AS (SELECT NULL::INTEGER AS cpu, coalesce(sum(end_ns - start_ns), 0) AS sql_ns FROM all_down_intervals),
  replay AS (SELECT cpu, blocktime_ns FROM results WHERE variant = 'exact' AND (cpu >= 0 OR cpu IS NULL))
  SELECT s.cpu, s.sql_ns, r.blocktime_ns
  FROM (SELECT cpu::INTEGER AS cpu, sql_ns FROM per_cpu UNION ALL SELECT * FROM total) AS s
  FULL JOIN replay AS r ON s.cpu IS NOT DISTINCT FROM r.cpu
  WHERE s.sql_ns IS DISTINCT FROM r.blocktime_ns`;

async function disagreements(): Promise<unknown[][]> {
  return (await db().runAndReadAll(DISAGREEMENTS)).getRowsJS();
}

/** Rows of `results`, and the exact replay's blocktime summed over vCPUs. */
async function figures(): Promise<{ rows: bigint; vcpuNs: bigint }> {
  const r = await db().runAndReadAll(
    `SELECT count(*), (SELECT sum(blocktime_ns) FROM results WHERE variant = 'exact' AND cpu >= 0)::BIGINT FROM results`,
  );
  const [[rows, vcpuNs]] = r.getRowsJS() as [[bigint, bigint]];
  return { rows, vcpuNs };
}

for (const materialize of [true, false]) describe(`${materialize ? 'tables filled by the load' : 'views'} = exact replay`, () => {
  const fixtures = [
    ...readdirSync('fixtures/examples').filter((f) => f.endsWith('.csv')).map((f) => `fixtures/examples/${f}`),
    'fixtures/sample.arrow',
  ];
  for (const file of fixtures) {
    it(`on ${file}`, async () => {
      await dropTraceTables(db());
      const source = await openTrace(file);
      try {
        await loadTrace(db(), source, { materialize });
      } finally {
        await source.close();
      }
      expect((await figures()).rows).toBeGreaterThan(0n);
      expect(await disagreements()).toEqual([]);
    });
  }

  for (const scenario of SCENARIO_NAMES) {
    it(`on simulated ${scenario} traces, seeds 1-6`, async () => {
      let blocked = 0n;
      for (let seed = 1; seed <= 6; seed++) {
        await dropTraceTables(db());
        const sim = createSimulator({ scenario, options: { seed, vcpus: 1 + (seed % 4), faults: 400, memoryBytes: 64 * 4096, batchRows: 97 } });
        await loadBatches(db(), sim.meta, sim.batches(), { path: `sim:${scenario}:${seed}`, format: 'sim' }, { materialize });
        expect(await disagreements(), `seed ${seed}`).toEqual([]);
        blocked += (await figures()).vcpuNs;
      }
      // The comparison is only worth something if the traces have blocked time to compare.
      expect(blocked).toBeGreaterThan(0n);
    });
  }

  it('on simulated traces cut short, with waits still open at the end', async () => {
    let open = 0n;
    for (let seed = 1; seed <= 8; seed++) {
      await dropTraceTables(db());
      const sim = createSimulator({ scenario: 'reentrant', options: { seed, vcpus: 1 + (seed % 3), faults: 300, memoryBytes: 64 * 4096, batchRows: 64 } });
      const all = [...sim.batches()];
      const rows = all.reduce((a, b) => a + b.length, 0);
      const cut = Math.floor(rows * (0.3 + seed / 20));
      const kept: TraceBatch[] = [];
      for (const b of all) if (b.firstRow < cut) kept.push(subBatch(b, 0, Math.min(b.length, cut - b.firstRow)));
      await loadBatches(db(), sim.meta, kept, { path: `sim:cut:${seed}`, format: 'sim' }, { materialize });
      expect(await disagreements(), `seed ${seed}`).toEqual([]);
      const [[n]] = (await db().runAndReadAll(`SELECT count(*) FROM faults WHERE status = 'counted' AND end_t_ns IS NULL`)).getRowsJS() as [[bigint]];
      open += n;
    }
    expect(open).toBeGreaterThan(0n);
  });
});
