/**
 * Issue 11, the SQL cases: what a user (or someone handing them a file) can
 * give `blocktime query`, each as the command line that once broke it. Every
 * test runs the built CLI and asserts the exit code and the one line it
 * prints; none may say "internal error".
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, blocktime, runCommand } from '../cli/run.js';

const SAMPLE = join(ROOT, 'fixtures/sample.arrow');
const EX1 = join(ROOT, 'fixtures/examples/example1.csv');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-adversarial-sql-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The message a failing command printed: exactly one line, ours, never an internal error. */
function oneLine(stderr: string): string {
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
  expect(stderr.split('\n')).toHaveLength(2);
  return stderr;
}

async function duckdb(path: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(path);
  try {
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowsJS();
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Lines fed to `blocktime query TRACE` through a pipe, as a script feeds the shell. */
function shell(trace: string, input: string): ReturnType<typeof runCommand> {
  const quoted = input.replace(/'/g, `'\\''`);
  return runCommand('sh', ['-c', `printf '%s' '${quoted}' | "${process.execPath}" "${BIN}" query "${trace}"`]);
}

describe('issue 11 case 5: extreme timestamps', () => {
  it("query w.csv 'SELECT * FROM results' (t_ns from -2^63 to 2^63-1): exit 2 naming the row, not 'bigint out of int64 range'", async () => {
    writeFileSync(join(dir, 'w.csv'), 't_ns,kind,tid,addr,cpu\n0,vcpu,101,0,0\n-9223372036854775808,fault,101,0x1000,\n9223372036854775807,resolve,0,0x1000,\n');
    const r = await blocktime(['query', 'w.csv', 'SELECT * FROM results'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^blocktime: w\.csv: row 2: t_ns -9223372036854775808 is 2\^53 ns \(104 days\) or more from the first row's 0; expected a trace spanning less than that/);
    expect(r.stdout).toBe('');
  });

  it('sibling: query s.csv (20 non-vCPU waits of 2^50 ns: a sum past 2^53) refuses the rounded figure, exit 2', async () => {
    const faults = Array.from({ length: 20 }, (_, k) => `0,fault,999,0x${((k + 1) * 4096).toString(16)},`);
    const resolves = Array.from({ length: 20 }, (_, k) => `${2 ** 50},resolve,0,0x${((k + 1) * 4096).toString(16)},`);
    writeFileSync(join(dir, 's.csv'), ['t_ns,kind,tid,addr,cpu', '0,vcpu,101,0,0', ...faults, ...resolves, ''].join('\n'));
    const r = await blocktime(['query', 's.csv', 'SELECT * FROM results'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^blocktime: s\.csv: mutex\.non_vcpu_blocktime_ns comes to about [\d.e+]+, beyond 2\^53/);
  });
});

describe("issue 11 case 6: --db on a database blocktime did not make", () => {
  it('query s.arrow --db user.duckdb "select * from results": exit 2, the user\'s events and results untouched', async () => {
    copyFileSync(SAMPLE, join(dir, 's.arrow'));
    const db = join(dir, 'user.duckdb');
    await duckdb(db, "CREATE TABLE events AS SELECT 'mine' AS note; CREATE TABLE results AS SELECT 42 AS answer");
    const r = await blocktime(['query', 's.arrow', '--db', 'user.duckdb', 'select * from results'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^blocktime: user\.duckdb: a DuckDB database blocktime did not make \(it holds events, results\)/);
    expect(r.stdout).toBe('');
    expect(await duckdb(db, 'SELECT table_name FROM duckdb_tables() ORDER BY 1')).toEqual([['events'], ['results']]);
    expect(await duckdb(db, 'SELECT * FROM events, results')).toEqual([['mine', 42]]);
  });
});

describe('issue 11 case 8: SQL errors are the user\'s, one line, exit 2', () => {
  it('query fixtures/sample.arrow "SELEC 1": the parser\'s message on one line with the statement', async () => {
    const r = await blocktime(['query', 'fixtures/sample.arrow', 'SELEC 1']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^blocktime: Parser Error: syntax error at or near "SELEC".* \(in: SELEC 1\)\n$/);
  });

  it('the shell (fed "SELEC 1;" then "SELECT 2 AS two;") says the error and runs the next statement', async () => {
    const r = await shell(SAMPLE, 'SELEC 1;\nSELECT 2 AS two;\n');
    expect(oneLine(r.stderr)).toMatch(/^Error: Parser Error: syntax error at or near "SELEC".* \(in: SELEC 1\)\n$/);
    expect(r.stdout).toBe('two\n2\n');
    // From a pipe, a failed statement shows in the exit code.
    expect(r.code).toBe(2);
  });

  it('sibling: query fixtures/sample.arrow -f bad.sql, the bad statement in the middle: its file and line, exit 2', async () => {
    writeFileSync(join(dir, 'bad.sql'), '-- report\nSELECT 1 AS one;\n\n  SELEC 2;\nSELECT 3;\n');
    const r = await blocktime(['query', SAMPLE, '-f', 'bad.sql'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('one\n1\n');
    expect(oneLine(r.stderr)).toMatch(/^blocktime: bad\.sql: line 4: Parser Error: .* \(in: SELEC 2\)\n$/);
  });

  it('sibling: query fixtures/sample.arrow "SELEC 1" -o out.csv: exit 2, no file', async () => {
    const r = await blocktime(['query', SAMPLE, 'SELEC 1', '-o', 'out.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^blocktime: Parser Error: .* \(in: SELEC 1\)\n$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("sibling: the shell's .schema inside an aborted transaction says DuckDB's error and the session goes on", async () => {
    const r = await shell(EX1, "BEGIN;\nSELECT 'x'::INT;\n.schema vcpus\nROLLBACK;\nSELECT 1 AS after;\n");
    expect(r.stdout).toBe('after\n1\n');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Error: Conversion Error: Could not convert string 'x' to INT32/);
    expect(lines[1]).toMatch(/^Error: TransactionContext Error: Current transaction is aborted .*\(in: \.schema vcpus\)$/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe('issue 11 case 11: --safe, for SQL one did not write', () => {
  const refused: Array<[string, (dir: string) => string, RegExp]> = [
    ['COPY ... TO a path', (d) => `COPY (SELECT * FROM events) TO '${join(d, 'evil.csv')}'`, /^blocktime: Permission Error: Cannot access file ".*evil\.csv"/],
    ["read_csv('/etc/passwd')", () => "SELECT * FROM read_csv('/etc/passwd')", /^blocktime: Permission Error: Cannot access file "\/etc\/passwd"/],
    ['ATTACH', (d) => `ATTACH '${join(d, 'other.duckdb')}' AS other`, /^blocktime: Permission Error: Cannot access file ".*other\.duckdb"/],
    ['INSTALL an extension', () => 'INSTALL httpfs', /^blocktime: Permission Error: /],
    ['LOAD an extension', () => 'LOAD httpfs', /^blocktime: Permission Error: Loading external extensions is disabled/],
    ['SET a setting (the one that would undo the rest)', () => 'SET enable_external_access = true', /^blocktime: Invalid Input Error: Cannot change configuration option "enable_external_access" - the configuration has been locked/],
  ];
  for (const [what, statement, message] of refused) {
    it(`query example1.csv --safe "<${what}>": refused, exit 2, nothing written`, async () => {
      const sql = statement(dir);
      const r = await blocktime(['query', EX1, '--safe', sql], { cwd: dir });
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toMatch(message);
      expect(r.stderr.endsWith(`(in: ${sql})\n`)).toBe(true);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('query example1.csv --safe --db t.duckdb "SELECT ..." -o totals.csv: the trace, --db and -o still work, twice', async () => {
    for (let run = 0; run < 2; run++) {
      const r = await blocktime(['query', EX1, '--safe', '--db', 't.duckdb', 'SELECT variant, blocktime_ns FROM results WHERE cpu IS NULL ORDER BY variant', '-o', 'totals.csv'], { cwd: dir });
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'wrote totals.csv (67 B)\n' });
    }
    expect(readdirSync(dir).sort()).toEqual(['t.duckdb', 'totals.csv']);
    const back = await blocktime(['query', EX1, `SELECT * FROM read_csv('${join(dir, 'totals.csv')}')`]);
    expect(back.stdout).toBe('variant,blocktime_ns\natomic,10000000\nexact,10000000\nmutex,10000000\n');
    expect(existsSync(join(dir, 't.duckdb.wal'))).toBe(false);
  });
});
