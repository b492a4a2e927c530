import { describe, expect, it } from 'vitest';
import { holdTemporaryPath, releaseTemporaryPath } from '../../src/early-stop.js';
import { reserveOutput } from '../../src/output-file.js';
import { duckdbFileError } from '../../src/sql/duckdb-file-error.js';

describe("DuckDB's file-system errors", () => {
  it('a full disk under a --db file, in each of the forms DuckDB words it', () => {
    for (const message of [
      'IO Error: Could not write file "/d/x.duckdb": No space left on device',
      'Failed to append: Could not write file "/d/x.duckdb": No space left on device',
      'TransactionContext Error: Failed to commit: Could not write file "/d/x.duckdb": No space left on device',
    ]) {
      expect(duckdbFileError(new Error(message))?.message).toBe('/d/x.duckdb: cannot write here: no space left on device');
    }
  });

  it('names the output, not the temporary name COPY writes', async () => {
    const out = reserveOutput('/d/x.parquet');
    try {
      expect(duckdbFileError(new Error(`IO Error: Could not write file "${out.temporary}": Read-only file system`))?.message).toBe(
        '/d/x.parquet: cannot write here: read-only file system',
      );
    } finally {
      await out.discard();
    }
  });

  it('names the spill directory, not the file in it', () => {
    holdTemporaryPath('/t/blocktime-db-abc');
    try {
      expect(duckdbFileError(new Error('IO Error: Could not write file "/t/blocktime-db-abc/duckdb_temp_block-1.block": No space left on device'))?.message).toBe(
        "/t/blocktime-db-abc (DuckDB's spill directory; TMPDIR chooses where): cannot write here: no space left on device",
      );
    } finally {
      releaseTemporaryPath('/t/blocktime-db-abc');
    }
  });

  it('leaves other errors to the SQL error mapping', () => {
    expect(duckdbFileError(new Error('Parser Error: syntax error at or near "SELEC"'))).toBeUndefined();
    expect(duckdbFileError('not an error')).toBeUndefined();
  });
});
