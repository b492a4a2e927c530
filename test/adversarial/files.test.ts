/**
 * Issue 11, case 9 and its siblings: the file system refuses an output (a
 * full disk, a read-only one, no permission). Every command that writes says
 * so on one line naming the path and the cause, exits 2, and leaves nothing
 * half-written; none says "internal error". The disks are small tmpfs mounts
 * (tmpfs.ts), so these cases need root, and are skipped, saying why,
 * without it.
 */
import { chmodSync, closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { blocktime } from '../cli/run.js';
import { suiteDir } from '../tmp.js';
import { tmpfs, tmpfsSkipReason } from './tmpfs.js';

const work = suiteDir('blocktime-adversarial-files-');
/** The trace: `capture --sim --faults 20k`, 1.4 MB of Arrow, 2.5 MB as CSV. */
const trace = join(work, 't.arrow');
const LOG = 'fixtures/qemu/example1-7.2.log';

beforeAll(async () => {
  const r = await blocktime(['capture', '--sim', '--faults', '20k', '-o', trace]);
  expect(r.code, r.stderr).toBe(0);
});

/** Takes every free byte of `dir`'s file system with one file, `filler`. */
function fill(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const block = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

const full = (path: string): string => `blocktime: ${path}: cannot write here: no space left on device\n`;
const readOnly = (path: string): string => `blocktime: ${path}: cannot write here: read-only file system\n`;

describe.skipIf(tmpfsSkipReason !== undefined)('a full or read-only disk: one line naming the path and the cause, exit 2, nothing left', () => {
  it('convert t.arrow FULL/x.csv (a 1 MB tmpfs)', async () => {
    const disk = tmpfs(work, '1m');
    const out = join(disk, 'x.csv');
    const r = await blocktime(['convert', trace, out]);
    expect(r.stderr).toBe(full(out));
    expect(r.code).toBe(2);
    expect(readdirSync(disk)).toEqual([]);
  });

  it('capture --sim --faults 20k -o FULL/c.csv', async () => {
    const disk = tmpfs(work, '1m');
    const out = join(disk, 'c.csv');
    const r = await blocktime(['capture', '--sim', '--faults', '20k', '-o', out]);
    expect(r.stderr).toBe(full(out));
    expect(r.code).toBe(2);
    expect(readdirSync(disk)).toEqual([]);
  });

  it('report t.arrow -o FULL/r.html', async () => {
    const disk = tmpfs(work, '64k');
    const out = join(disk, 'r.html');
    const r = await blocktime(['report', trace, '-o', out]);
    expect(r.stderr).toBe(full(out));
    expect(r.code).toBe(2);
    expect(readdirSync(disk)).toEqual([]);
  });

  it('report t.arrow -o READONLY/r.html', async () => {
    const disk = tmpfs(work, '64k', { readOnly: true });
    const out = join(disk, 'r.html');
    const r = await blocktime(['report', trace, '-o', out]);
    expect(r.stderr).toBe(readOnly(out));
    expect(r.code).toBe(2);
    expect(readdirSync(disk)).toEqual([]);
  });

  // The statement must read a relation: relations are built on first use, so "select 1" writes nothing.
  it('query t.arrow --db FULL/x.duckdb "select count(*) from faults": the --db file and the disk named, not a failed ROLLBACK', async () => {
    const disk = tmpfs(work, '1m');
    const db = join(disk, 'x.duckdb');
    const r = await blocktime(['query', trace, '--db', db, 'select count(*) from faults']);
    // DuckDB fails on the database file or on its write-ahead log beside it, whichever fills the disk.
    expect(r.stderr).toMatch(new RegExp(`^blocktime: ${db.replace(/\./g, '\\.')}(\\.wal)?: cannot write here: no space left on device\\n$`));
    expect(r.code).toBe(2);
    expect(readdirSync(disk)).toEqual([]);
  });

  it('query t.arrow "SELECT * FROM events" -o FULL/e.parquet', async () => {
    const disk = tmpfs(work, '64k');
    const out = join(disk, 'e.parquet');
    const r = await blocktime(['query', trace, 'SELECT * FROM events', '-o', out]);
    expect(r.stderr).toBe(full(out));
    expect(r.code).toBe(2);
    expect(readdirSync(disk)).toEqual([]);
  });

  it('export t.arrow FULL/e.parquet --faults', async () => {
    const disk = tmpfs(work, '64k');
    const out = join(disk, 'e.parquet');
    const r = await blocktime(['export', trace, out, '--faults']);
    expect(r.stderr).toBe(full(out));
    expect(r.code).toBe(2);
    expect(readdirSync(disk)).toEqual([]);
  });

  it('import qemu-log LOG -o FULL/i.arrow: neither the trace nor its accounting table left', async () => {
    const disk = tmpfs(work, '64k');
    fill(disk);
    const out = join(disk, 'i.arrow');
    const r = await blocktime(['import', 'qemu-log', LOG, '--vcpus', '3', '-o', out]);
    // Whichever of the two outputs reaches the disk first is named.
    expect([full(out), full(join(disk, 'i.qemu.arrow'))]).toContain(r.stderr);
    expect(r.code).toBe(2);
    expect(readdirSync(disk)).toEqual(['filler']);
  });

  it('convert t.arrow READONLY/x.arrow', async () => {
    const disk = tmpfs(work, '64k', { readOnly: true });
    const out = join(disk, 'x.arrow');
    const r = await blocktime(['convert', trace, out]);
    expect(r.stderr).toBe(readOnly(out));
    expect(r.code).toBe(2);
  });

  it('TMPDIR=READONLY query t.arrow "select 1": the spill directory cannot be made', async () => {
    const disk = tmpfs(work, '64k', { readOnly: true });
    const r = await blocktime(['query', trace, 'select 1'], { env: { TMPDIR: disk } });
    expect(r.stderr).toBe(`blocktime: ${disk} (for DuckDB's spill directory; TMPDIR chooses where): cannot write here: read-only file system\n`);
    expect(r.code).toBe(2);
  });

  it('query t.arrow --db READONLY/x.duckdb "select 1"', async () => {
    const disk = tmpfs(work, '64k', { readOnly: true });
    const db = join(disk, 'x.duckdb');
    const r = await blocktime(['query', trace, '--db', db, 'select 1']);
    expect(r.stderr).toMatch(/^blocktime: \S*x\.duckdb: cannot (write here|read): read-only file system\n$/);
    expect(r.code).toBe(2);
  });
});

describe.skipIf(process.getuid?.() !== 0)('no permission (run as nobody: root would bypass it)', () => {
  it('convert t.arrow DIR/x.csv, DIR not writable by the user', async () => {
    // Readable by all (the trace is read), writable by root only.
    chmodSync(work, 0o755);
    const out = join(work, 'x.csv');
    const r = await blocktime(['convert', trace, out], { user: { uid: 65534, gid: 65534 } });
    expect(r.stderr).toBe(`blocktime: ${out}: cannot write here: permission denied\n`);
    expect(r.code).toBe(2);
  });
});
