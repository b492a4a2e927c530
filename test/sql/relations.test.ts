import { describe, it, expect } from 'vitest';
import { memoryConnection } from './memory-connection.js';
import { RELATIONS, relationsByWord, relationsNamedIn } from '../../src/sql/relations.js';

const db = memoryConnection();

const named = async (sql: string): Promise<string[]> => [...(await relationsNamedIn(db(), sql))].sort();

describe('relationsNamedIn', () => {
  it('reads the tables of a SELECT off its parse tree: not a column or a string that has a relation name', async () => {
    expect(await named("SELECT cpu, quantile_disc(latency_ns, 0.99) FROM faults WHERE status = 'counted' GROUP BY cpu")).toEqual(['faults']);
    expect(await named("SELECT variant, faults, 'events' AS s FROM results")).toEqual(['results']);
    expect(await named('SELECT * FROM read_parquet($1)')).toEqual([]);
  });

  it('finds them in CTEs, subqueries, joins, set operations, DESCRIBE, whatever their case', async () => {
    const sql = `WITH x AS (SELECT * FROM Events) SELECT * FROM x JOIN (SELECT * FROM all_down_intervals) USING (t_ns)
      WHERE seq IN (SELECT seq FROM main.faults) UNION ALL SELECT * FROM "trace_meta"`;
    expect(await named(sql)).toEqual(['all_down_intervals', 'events', 'faults', 'trace_meta']);
    expect(await named('DESCRIBE blocked_intervals')).toEqual(['blocked_intervals']);
  });

  it('falls back to whole words for statements DuckDB cannot serialize (COPY, CREATE ... AS), naming too many rather than too few', async () => {
    expect(await named("COPY (SELECT * FROM vcpus) TO 'out.csv'")).toEqual(['vcpus']);
    expect(await named('CREATE TABLE mine AS SELECT variant, faults FROM results')).toEqual(['faults', 'results']);
    expect(relationsByWord('SELECT my_events, events2 FROM eventsx')).toEqual(new Set());
  });

  it('takes every relation for a statement that lists the catalog', async () => {
    const all = [...RELATIONS].sort();
    expect(await named("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")).toEqual(all);
    expect(await named('SELECT * FROM duckdb_tables()')).toEqual(all);
    expect(await named('SHOW TABLES')).toEqual(all);
  });

  it('takes nothing from SQL that does not parse (DuckDB then says what is wrong)', async () => {
    expect(await named('SELEC 1')).toEqual([]);
  });
});
