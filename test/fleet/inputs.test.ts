import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandTraceInputs } from '../../src/fleet/inputs.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-inputs-'));
  mkdirSync(join(dir, 'b', '.hidden'), { recursive: true });
  copyFileSync('fixtures/examples/example1.csv', join(dir, 'z.csv'));
  copyFileSync('fixtures/qemu/example3-11.1.log.zst', join(dir, 'b', 'log.zst.log.zst'));
  // No known ending: recognized by its first bytes.
  copyFileSync('fixtures/sample.arrow', join(dir, 'b', 'capture-1'));
  copyFileSync('fixtures/examples/example2.csv', join(dir, 'b', '.hidden', 'x.csv'));
  writeFileSync(join(dir, 'b', 'README'), 'notes about these traces\n');
  // Looks like NDJSON, but its ending says what it is.
  writeFileSync(join(dir, 'b', 'expected.json'), '{"t_ns": 0, "kind": "vcpu", "tid": 1, "addr": 0, "cpu": 0}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('expandTraceInputs', () => {
  it('takes files as given and directories as every trace under them, in name order, each once', async () => {
    expect(await expandTraceInputs([join(dir, 'z.csv'), dir])).toEqual({
      files: [join(dir, 'z.csv'), join(dir, 'b', 'capture-1'), join(dir, 'b', 'log.zst.log.zst')],
      directories: true,
    });
    expect(await expandTraceInputs(['missing.csv', '-'])).toEqual({ files: ['missing.csv', '-'], directories: false });
  });

  it('refuses a directory holding no trace, naming it', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(expandTraceInputs([empty])).rejects.toThrow(`${empty}: a directory holding no trace file`);
  });
});
