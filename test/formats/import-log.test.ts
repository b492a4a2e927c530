import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { importQemuLog } from '../../src/formats/import-log.js';
import { readAccounting } from '../../src/import/qemu-log/accounting-file.js';
import { QemuLine } from '../../src/import/qemu-log/accounting.js';
import { openTrace } from '../../src/formats/open.js';
import { blocktime } from '../cli/run.js';
import { testDir } from '../tmp.js';

const FIX = new URL('../../fixtures/qemu/', import.meta.url).pathname;

describe('import qemu-log', () => {
  it('writes the trace and its accounting side table, one record per row, metadata included', async () => {
    const dir = testDir('blocktime-import-');
    const out = join(dir, 'trace.arrow');
    const report = await importQemuLog(join(FIX, 'moved-resolve-7.2.log'), out);
    expect(report.accounting).toBe(join(dir, 'trace.qemu.arrow'));
    expect(report.mapping).toMatchObject({ resolves_moved: 1, faults_retimed: 1 });
    const src = await openTrace(out);
    expect(src.meta).toMatchObject({ pageSize: 4096, vcpus: 2, startNs: 1795664030000000000n });
    expect(src.meta.source).toMatchObject({ kind: 'qemu-log', design: 'atomic', prefix: 'tid' });
    const kinds: number[] = [];
    for await (const b of src.batches()) kinds.push(...b.kind);
    const events: number[] = [];
    const lines: number[] = [];
    for await (const a of readAccounting(report.accounting!)) {
      events.push(...a.event);
      lines.push(...a.line);
    }
    expect(events).toHaveLength(kinds.length);
    expect(events).toEqual([0, 0, QemuLine.markBegin, QemuLine.none, QemuLine.markEnd, QemuLine.markBegin, QemuLine.markEnd, QemuLine.markBegin, QemuLine.markEnd]);
    expect(lines.slice(2)).toEqual([1, 4, 10, 6, 12, 14, 18]);
    // Nothing left behind under a temporary name.
    expect(readdirSync(dir).sort()).toEqual(['trace.arrow', 'trace.qemu.arrow']);
  });

  it('blocktime import qemu-log prints a summary on stdout', async () => {
    const dir = testDir('blocktime-import-');
    const r = await blocktime(['import', 'qemu-log', 'fixtures/qemu/example3-11.1.log', '-o', join(dir, 't.arrow')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('QEMU >= 10.1 (from events), prefix iso, 31 lines');
    expect(r.stdout).toMatch(/trace .*t\.arrow: 2 vcpu, 6 fault, 6 resolve rows; N = 2 \(log\)/);
    expect(r.stderr).toMatch(/^wrote \S+t\.arrow \(.*\)\nwrote \S+t\.qemu\.arrow \(.*\)\n$/);
    expect(r.stdout).toContain('1 of them dropped (a begin line followed)');
  });

  it('blocktime import qemu-log --json --no-accounting: the report as JSON, no side table', async () => {
    const dir = testDir('blocktime-import-');
    const j = await blocktime(['import', 'qemu-log', 'fixtures/qemu/example1-7.2.log', '-o', join(dir, 'u.csv'), '--vcpus', '4', '--no-accounting', '--json', '-q']);
    expect(j.code).toBe(0);
    expect(j.stderr).toBe('');
    const report = JSON.parse(j.stdout) as { vcpus: number; accounting?: string; start_ns: string };
    expect(report).toMatchObject({ vcpus: 4, start_ns: '1795664025100000000' });
    expect(report.accounting).toBeUndefined();
    expect(existsSync(join(dir, 'u.qemu.arrow'))).toBe(false);
  });

  it('blocktime import qemu-log exits 2 with a one-line error and writes nothing on a log without timestamps', async () => {
    const dir = testDir('blocktime-import-');
    const bad = await blocktime(['import', 'qemu-log', 'fixtures/qemu/no-timestamps-7.2.log', '-o', join(dir, 'v.arrow')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^blocktime: fixtures\/qemu\/no-timestamps-7\.2\.log: .*record it with -msg timestamp=on[^\n]*\n$/);
    expect(existsSync(join(dir, 'v.arrow'))).toBe(false);
  });
});
