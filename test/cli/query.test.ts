/** `blocktime query` as a user runs it: the built CLI, spawned. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, blocktime } from './run.js';

const EX1 = 'fixtures/examples/example1.csv';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-query-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('blocktime query TRACE SQL', () => {
  it('prints CSV when stdout is not a terminal, one result per statement', async () => {
    const r = await blocktime(['query', EX1, 'SELECT cpu, sum(end_ns - start_ns) AS ns FROM blocked_intervals GROUP BY cpu ORDER BY cpu; SELECT count(*) AS n FROM faults']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('cpu,ns\n0,50000000\n1,40000000\n2,30000000\nn\n4\n');
  });

  it('writes JSON arrays and NDJSON with 64-bit integers exact', async () => {
    const sql = "SELECT 18446744073709551615::UBIGINT AS big, 'a\"b' AS s, NULL AS z";
    const json = await blocktime(['query', EX1, sql, '--format', 'json']);
    expect(json.stdout).toBe('[\n{"big":18446744073709551615,"s":"a\\"b","z":null}\n]\n');
    const nd = await blocktime(['query', EX1, 'SELECT variant, cpu, blocktime_ns FROM results WHERE cpu IS NULL ORDER BY variant', '--format', 'ndjson']);
    expect(nd.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { variant: 'atomic', cpu: null, blocktime_ns: 10000000 },
      { variant: 'exact', cpu: null, blocktime_ns: 10000000 },
      { variant: 'mutex', cpu: null, blocktime_ns: 10000000 },
    ]);
  });

  it('draws an aligned table with --format table, eliding the middle of long results', async () => {
    const r = await blocktime(['query', EX1, 'SELECT range AS i FROM range(100)', '--format', 'table', '--max-rows', '4']);
    expect(r.stdout.split('\n')).toEqual([' i', '──', ' 0', ' 1', ' …', '98', '99', '(100 rows, 4 shown; --format csv or -o FILE for all)', '']);
  });

  it('runs a -f script statement by statement', async () => {
    const file = join(dir, 'script.sql');
    writeFileSync(file, "-- a report\nCREATE TEMP TABLE w AS SELECT * FROM all_down_intervals;\nSELECT count(*) AS windows FROM w;\nSELECT 'done;' AS s -- no final semicolon\n");
    const r = await blocktime(['query', EX1, '-f', file]);
    expect(r).toMatchObject({ code: 0, stdout: 'windows\n1\ns\ndone;\n' });
  });

  it("reports an SQL error with DuckDB's message and the statement, exit 2, no stack trace", async () => {
    const r = await blocktime(['query', EX1, 'SELECT 1; SELECT nope FROM faults']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('1\n1\n');
    expect(r.stderr).toMatch(/^blocktime: Binder Error: .*nope.* \(in: SELECT nope FROM faults\)\n$/);
  });

  it('writes -o FILE.parquet through COPY, renamed into place, readable by the next query', async () => {
    const out = join(dir, 'faults.parquet');
    const r = await blocktime(['query', EX1, 'SELECT * FROM faults ORDER BY seq', '-o', out]);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(/^wrote \S+faults\.parquet \(\d+(\.\d)? (B|KiB)\)\n$/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const back = await blocktime(['query', EX1, `SELECT count(*), sum(latency_ns) FROM read_parquet('${out}')`]);
    expect(back.stdout).toBe('count_star(),sum(latency_ns)\n4,120000000\n');
    const bad = await blocktime(['query', EX1, 'SELECT nope', '-o', join(dir, 'bad.csv')]);
    expect(bad.code).toBe(2);
    expect(existsSync(join(dir, 'bad.csv'))).toBe(false);
    const ext = await blocktime(['query', EX1, 'SELECT 1', '-o', join(dir, 'x.txt')]);
    expect(ext).toMatchObject({ code: 2 });
    expect(ext.stderr).toMatch(/expected a file ending in \.parquet/);
  });

  it('reuses a --db file on the next run', async () => {
    const db = join(dir, 'ex1.duckdb');
    const first = await blocktime(['query', EX1, '--db', db, 'SELECT count(*) FROM events']);
    expect(first).toMatchObject({ code: 0, stdout: 'count_star()\n11\n' });
    const again = await blocktime(['query', EX1, '--db', db, 'SELECT path = $$' + join(ROOT, EX1) + '$$ FROM blocktime_load']);
    expect(again.stdout).toBe(`(path = '${join(ROOT, EX1)}')\ntrue\n`);
  });

  it('spills into a fresh directory under the temporary directory, not the working directory, and removes it at the end', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'blocktime-query-cwd-'));
    try {
      // A memory limit far below what the sort needs makes DuckDB spill.
      const sql = `SET memory_limit = '16MB'; SET threads = 1;
        CREATE TEMP TABLE sorted AS SELECT range AS i, hash(range) AS h FROM range(1000000) ORDER BY h;
        SELECT current_setting('temp_directory') AS spill,
          (SELECT count(*) FROM duckdb_temporary_files() WHERE starts_with(path, current_setting('temp_directory') || '/')) AS inside,
          (SELECT count(*) FROM duckdb_temporary_files() WHERE NOT starts_with(path, current_setting('temp_directory') || '/')) AS outside`;
      const r = await blocktime(['query', join(ROOT, EX1), sql], { cwd });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const [header, row] = r.stdout.trimEnd().split('\n');
      expect(header).toBe('spill,inside,outside');
      const [spill, inside, outside] = row!.split(',');
      expect(spill!.startsWith(join(tmpdir(), 'blocktime-db-'))).toBe(true);
      expect(Number(inside)).toBeGreaterThan(0);
      expect(outside).toBe('0');
      expect(existsSync(spill!)).toBe(false);
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('prints the views for another engine with --print-views, the trace giving page size and N', async () => {
    const r = await blocktime(['query', '--print-views', 'fixtures/sample.arrow']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CREATE TABLE trace_meta AS SELECT 4096::UBIGINT AS page_size, 8::INTEGER AS vcpus;');
    for (const v of ['vcpus', 'faults', 'blocked_intervals', 'all_down_intervals']) expect(r.stdout).toContain(`CREATE OR REPLACE VIEW ${v} AS`);
  });

  it('refuses SQL given twice, and a missing trace', async () => {
    expect((await blocktime(['query', EX1, 'SELECT 1', '-f', 'x.sql'])).code).toBe(2);
    const r = await blocktime(['query']);
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toMatch(/expected a trace file/);
  });
});

/** The shell, fed through a pipe as a script would feed it. */
function shell(args: string[]): { send(text: string): void; end(): void; signal(): void; output(): { stdout: string; stderr: string }; closed: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'query', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return {
    send: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
    signal: () => child.kill('SIGINT'),
    output: () => ({ stdout, stderr }),
    closed: new Promise((resolve) => child.on('close', resolve)),
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 25));
}

describe('blocktime query: only what the statements read', () => {
  it('gives the same results whether the replay runs alone or in a worker beside the append', async () => {
    const results = 'SELECT variant, cpu, blocktime_ns, faults FROM results ORDER BY ALL';
    const alone = await blocktime(['query', 'fixtures/sample.arrow', results]);
    const beside = await blocktime(['query', 'fixtures/sample.arrow', `${results}; SELECT count(*) AS n FROM events`]);
    expect(alone.code).toBe(0);
    expect(beside).toMatchObject({ code: 0, stdout: `${alone.stdout}n\n8391\n` });
    const analyzed = await blocktime(['analyze', 'fixtures/sample.arrow', '--variant', 'exact', '--json']);
    const total = (JSON.parse(analyzed.stdout) as { total_blocktime_ns: number }).total_blocktime_ns;
    expect(alone.stdout).toContain(`exact,,${total},`);
  });

  it('loads the same events whether DuckDB pulls them from a reader thread or they are appended beside the replay', async () => {
    // Alone, `events` is pulled through a table function from a worker that reads the trace; beside `results`, appended on the main thread.
    const digest = 'SELECT count(*) AS n, sum(hash(seq, t_ns, kind, tid, addr, cpu) % 1000003) AS h, min(seq) AS lo, max(seq) AS hi FROM events';
    const pulled = await blocktime(['query', 'fixtures/sample.arrow', `${digest}; SELECT events, vcpus FROM trace_meta`]);
    const appended = await blocktime(['query', 'fixtures/sample.arrow', `${digest}; SELECT events, vcpus FROM trace_meta; SELECT count(*) AS r FROM results`]);
    expect(pulled.code).toBe(0);
    expect(appended.stdout.startsWith(pulled.stdout)).toBe(true);
    expect(pulled.stdout).toMatch(/^n,h,lo,hi\n8391,\d+,0,8390\nevents,vcpus\n8391,8\n$/);
  });

  it('stops a load on SIGINT, even one waiting on stdin: exit 130 at once, its database files removed', async () => {
    const temporary = mkdtempSync(join(dir, 'tmp-'));
    const child = spawn(process.execPath, [BIN, 'query', '-', '--input-format', 'csv', 'SELECT count(*) FROM events'], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: temporary },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // stdin stays open: the load waits for rows that do not come.
    child.stdin.write('t_ns,kind,tid,addr,cpu\n0,vcpu,101,0,0\n');
    await until(() => readdirSync(temporary).some((f) => f.startsWith('blocktime-db-')));
    child.kill('SIGINT');
    const code = await closed;
    child.stdin.destroy();
    expect({ code, stderr }).toEqual({ code: 130, stderr: 'blocktime: query: interrupted by SIGINT\n' });
    expect(readdirSync(temporary)).toEqual([]);
  });
});

describe('blocktime query TRACE (shell)', () => {
  it('reads statements over several lines, dot commands, and goes on after an error', async () => {
    const sh = shell([EX1]);
    sh.send('.tables\nSELECT cpu,\n  count(*) AS faults\nFROM faults\nGROUP BY cpu ORDER BY cpu;\nSELECT nope;\n.schema vcpus\n.format ndjson\nSELECT 1 AS one;\n');
    sh.end();
    const code = await sh.closed;
    const { stdout, stderr } = sh.output();
    expect(stdout).toContain('all_down_intervals,view\n');
    expect(stdout).toContain('faults,base table\n');
    expect(stdout).toContain('cpu,faults\n0,2\n1,1\n2,1\n');
    expect(stdout).toContain('CREATE TABLE vcpus(tid UINTEGER, cpu INTEGER);\n');
    expect(stdout.endsWith('{"one":1}\n')).toBe(true);
    expect(stderr).toMatch(/^Error: Binder Error: .*nope/);
    // Fed from a pipe, a failed statement shows in the exit code.
    expect(code).toBe(2);
  });

  it('cancels the running query on SIGINT and keeps reading', async () => {
    const sh = shell([EX1]);
    sh.send('SELECT 7 AS ready;\n');
    await until(() => sh.output().stdout.includes('7\n'));
    sh.send('SELECT sum(x) FROM range(1000000000000) t(x);\n');
    await new Promise((r) => setTimeout(r, 300));
    sh.signal();
    await until(() => sh.output().stderr.includes('cancelled'));
    sh.send('SELECT 42 AS after;\n');
    sh.end();
    await sh.closed;
    expect(sh.output().stdout).toBe('ready\n7\nafter\n42\n');
  });
});

describe('blocktime query TRACE (shell dot commands)', () => {
  it('.read runs a file of statements and dot commands; its errors name the file and line, and the shell goes on', async () => {
    const script = join(dir, 'inner.sql');
    writeFileSync(script, 'SELECT count(*) AS n\nFROM faults;\n.nope\n.mode ndjson\nSELECT nope;\nSELECT 2 AS two');
    const sh = shell([EX1]);
    sh.send(`.read ${script}\n.read ${join(dir, 'missing.sql')}\nSELECT 3 AS three;\n`);
    sh.end();
    const code = await sh.closed;
    const { stdout, stderr } = sh.output();
    expect(stdout).toBe('n\n4\n{"two":2}\n{"three":3}\n');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`Error: ${script}: line 3: unknown command .nope; .help lists them`);
    expect(lines[1]).toMatch(new RegExp(`^Error: ${script}: line 5: Binder Error: .*nope`));
    expect(lines[2]).toBe(`Error: ${join(dir, 'missing.sql')}: no such file`);
    expect(code).toBe(2);
  });

  it('.read of a file that reads itself is one error, not a loop', async () => {
    const self = join(dir, 'self.sql');
    writeFileSync(self, `SELECT 1 AS once;\n.read ${self}\n`);
    const sh = shell([EX1]);
    sh.send(`.read ${self}\n`);
    sh.end();
    await sh.closed;
    expect(sh.output()).toEqual({ stdout: 'once\n1\n', stderr: `Error: ${self}: line 2: .read: ${self} is already being read (it reads itself)\n` });
  });

  it('.output FILE sends results to a file that appears, renamed from a temporary name, when .output closes it', async () => {
    const out = join(dir, 'shell-out.csv');
    const sh = shell([EX1]);
    // .timer writes to stderr: it tells when the statement sent to the file has run.
    sh.send(`.output ${out}\n.timer on\nSELECT cpu, count(*) AS n FROM faults GROUP BY cpu ORDER BY cpu;\n`);
    await until(() => sh.output().stderr.includes('Run Time'));
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.shell-out.csv.') && f.endsWith('.tmp'))).toHaveLength(1);
    sh.send('.output\nSELECT 1 AS screen;\n');
    await until(() => sh.output().stdout.includes('screen'));
    expect(readFileSync(out, 'utf8')).toBe('cpu,n\n0,2\n1,1\n2,1\n');
    // Left open at the end, a file appears when the shell ends.
    const last = join(dir, 'shell-last.json');
    sh.send(`.timer off\n.mode json\n.output ${last}\nSELECT 5 AS five;\n`);
    sh.end();
    expect(await sh.closed).toBe(0);
    expect(sh.output().stdout).toBe('screen\n1\n');
    expect(sh.output().stderr).toMatch(/^Run Time \(s\): real \d+\.\d{3}\nRun Time \(s\): real \d+\.\d{3}\n$/);
    expect(readFileSync(last, 'utf8')).toBe('[\n{"five":5}\n]\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('says each mistake in a dot command in one line and goes on: .output to a missing directory, .mode, .timer, arguments', async () => {
    const sh = shell([EX1]);
    sh.send(`.output ${join(dir, 'no', 'such', 'x.csv')}\n.mode xml\n.timer maybe\n.read\n.output a b\n.mode table\n.mode\nSELECT 1 AS one;\n`);
    sh.end();
    const code = await sh.closed;
    expect(sh.output().stderr.split('\n')).toEqual([
      `Error: ${join(dir, 'no', 'such', 'x.csv')}: cannot write here: no such directory`,
      'Error: .mode: expected one of table, csv, json, ndjson, not xml',
      'Error: .timer: expected on or off, not maybe',
      'Error: usage: .read FILE',
      'Error: usage: .output [FILE]',
      '',
    ]);
    expect(sh.output().stdout).toBe('table\none\n───\n  1\n(1 row)\n');
    expect(code).toBe(2);
  });

  it('.tables and .schema leave out the table a --db load keeps its fingerprint in; .help lists the dot commands', async () => {
    const db = join(dir, 'tables.duckdb');
    const sh = shell([EX1, '--db', db]);
    sh.send('.tables\n.schema\n.help\n');
    sh.end();
    expect(await sh.closed).toBe(0);
    const { stdout } = sh.output();
    expect(stdout).toContain('faults,base table\n');
    expect(stdout).toContain('CREATE TABLE faults(');
    expect(stdout).not.toContain('blocktime_load');
    for (const cmd of ['.read FILE', '.output [FILE]', '.timer on|off', '.mode MODE', '.tables', '.schema [NAME]', '.help', '.quit']) expect(stdout).toContain(cmd);
  });
});

describe('blocktime query --db FILE without a trace', () => {
  it('runs SQL, given as the first argument, on the trace the database holds, without loading it again', async () => {
    const db = join(dir, 'reuse.duckdb');
    expect((await blocktime(['query', EX1, '--db', db, '--vcpus', '4', 'SELECT count(*) AS n FROM events'])).stdout).toBe('n\n11\n');
    // Loaded with --vcpus 4: read again with it, the load is current (no note, N still 4).
    const again = await blocktime(['query', '--db', db, 'SELECT vcpus FROM trace_meta; SELECT count(*) AS n FROM faults']);
    expect(again).toMatchObject({ code: 0, stdout: 'vcpus\n4\nn\n4\n', stderr: '' });
    const sh = shell(['--db', db]);
    sh.send('SELECT path FROM trace_meta;\n');
    sh.end();
    expect(await sh.closed).toBe(0);
    expect(sh.output().stdout).toBe(`path\n${join(ROOT, EX1)}\n`);
  });

  it('takes the first argument as the trace when it names a file', async () => {
    const db = join(dir, 'named.duckdb');
    await blocktime(['query', EX1, '--db', db, 'SELECT 1']);
    const r = await blocktime(['query', 'fixtures/examples/example2.csv', '--db', db]);
    expect(r.code).toBe(0);
    const path = await blocktime(['query', '--db', db, 'SELECT path FROM trace_meta']);
    expect(path.stdout).toBe(`path\n${join(ROOT, 'fixtures/examples/example2.csv')}\n`);
  });

  it('notes, naming both, when the database held another trace, before loading the one given', async () => {
    const db = join(dir, 'other.duckdb');
    await blocktime(['query', EX1, '--db', db, 'SELECT 1']);
    const r = await blocktime(['query', 'fixtures/sample.arrow', '--db', db, 'SELECT count(*) AS n FROM events']);
    expect(r).toMatchObject({ code: 0, stdout: 'n\n8391\n' });
    expect(r.stderr).toBe(`blocktime: note: ${db} holds ${join(ROOT, EX1)}; loading ${join(ROOT, 'fixtures/sample.arrow')} in its place\n`);
  });

  it('refuses, in one line with exit 2, a database that holds no trace, and creates none', async () => {
    const db = join(dir, 'none.duckdb');
    const shellOnly = await blocktime(['query', '--db', db]);
    expect(shellOnly).toMatchObject({ code: 2, stdout: '', stderr: `blocktime: ${db}: does not exist; give the trace once: blocktime query TRACE --db ${db}\n` });
    const sql = await blocktime(['query', '--db', db, 'SELECT 1']);
    expect(sql).toMatchObject({ code: 2, stderr: `blocktime: SELECT 1: no such file; nor can it be SQL: ${db} does not exist\n` });
    expect(existsSync(db)).toBe(false);
  });
});

describe('blocktime query TRACES... SQL (several traces)', () => {
  const EXAMPLES = ['example1.csv', 'example2.csv', 'example3.csv'].map((n) => `fixtures/examples/${n}`);
  const TOTALS = 'SELECT trace, blocktime_ns FROM results WHERE variant = \'exact\' AND cpu IS NULL ORDER BY trace';

  it('queries every trace given, each relation with a trace column, equal to each trace queried alone', async () => {
    const fleet = await blocktime(['query', ...EXAMPLES, TOTALS]);
    expect(fleet).toMatchObject({ code: 0, stderr: '' });
    const alone = await Promise.all(EXAMPLES.map((t) => blocktime(['query', t, "SELECT blocktime_ns FROM results WHERE variant = 'exact' AND cpu IS NULL"])));
    expect(fleet.stdout).toBe(`trace,blocktime_ns\n${EXAMPLES.map((t, i) => `${t},${alone[i]!.stdout.split('\n')[1]}`).join('\n')}\n`);
    const latency = await blocktime(['query', ...EXAMPLES, 'SELECT trace, max(latency_ns) AS ns FROM faults GROUP BY trace ORDER BY trace', '--jobs', '1']);
    expect(latency.stdout).toBe(`trace,ns\n${EXAMPLES[0]},40000000\n${EXAMPLES[1]},25000000\n${EXAMPLES[2]},25000000\n`);
  });

  it('queries every trace under a directory, and lists them in traces', async () => {
    const traces = join(dir, 'fleet');
    mkdirSync(join(traces, 'sub'), { recursive: true });
    copyFileSync(EXAMPLES[0]!, join(traces, 'a.csv'));
    copyFileSync(EXAMPLES[1]!, join(traces, 'sub', 'b.csv'));
    copyFileSync('fixtures/qemu/example3-11.1.log.zst', join(traces, 'sub', 'c.log.zst'));
    writeFileSync(join(traces, 'notes.txt'), 'not a trace\n');
    const r = await blocktime(['query', traces, 'SELECT trace, format, vcpus, events FROM traces ORDER BY trace']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`trace,format,vcpus,events\n${join(traces, 'a.csv')},csv,3,11\n${join(traces, 'sub/b.csv')},csv,2,8\n${join(traces, 'sub/c.log.zst')},qemu-log,2,14\n`);
  });

  it('names a trace that fails among the others, in one line, exit 2', async () => {
    const bad = join(dir, 'bad-fleet.csv');
    writeFileSync(bad, 't_ns,kind,tid,addr,cpu\n0,fault,1,4096\n');
    const r = await blocktime(['query', EXAMPLES[0]!, bad, EXAMPLES[1]!, 'SELECT count(*) FROM faults']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^blocktime: ${bad}: line 2: .*\\n$`));
  });

  it('prints the fleet form of the views given several traces', async () => {
    const r = await blocktime(['query', '--print-views', ...EXAMPLES.slice(0, 2)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PARTITION BY trace, page ORDER BY seq/);
    expect(r.stdout).not.toMatch(/::|\bQUALIFY\b|\bEXCLUDE\b/);
    const single = await blocktime(['query', '--print-views', EXAMPLES[0]!]);
    expect(single.stdout).not.toMatch(/PARTITION BY trace/);
  });
});
