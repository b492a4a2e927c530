import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandInputs, expandTraceInputs, namesFleet } from '../../src/fleet/inputs.js';
import { recognizes } from '../../src/formats/registry.js';
import { suiteDir } from '../tmp.js';
import { makeFleet } from './fleet-dir.js';

const fleet = await makeFleet(suiteDir('blocktime-fleet-inputs-'));

describe('expandInputs', () => {
  it('walks a directory recursively for every file the registry recognizes, compressed or not, in name order', async () => {
    expect(await expandInputs([fleet.dir])).toEqual(fleet.traces);
  });

  it('expands a quoted pattern, and keeps named files as they are, without repeats', async () => {
    const [a, gz, , log, nd] = fleet.traces;
    expect(await expandInputs([join(fleet.dir, '**/*.{gz,zst}')])).toEqual([gz, log]);
    expect(await expandInputs([nd!, a!, nd!, join(fleet.dir, '*.arrow')])).toEqual([nd, a]);
  });

  it('leaves a missing file to fail in its row, and refuses an empty directory, a pattern matching nothing and stdin', async () => {
    expect(await expandInputs([join(fleet.dir, 'missing.arrow')])).toEqual([join(fleet.dir, 'missing.arrow')]);
    await expect(expandInputs([join(fleet.dir, 'none-*.csv')])).rejects.toThrow(/no file matches this pattern/);
    await expect(expandInputs([suiteDir('blocktime-fleet-empty-')])).rejects.toThrow(/no trace in this directory/);
    await expect(expandInputs(['-', fleet.traces[0]!])).rejects.toThrow(/stdin is one trace/);
  });
});

describe('namesFleet', () => {
  it('is one trace for one file or stdin, a fleet for several, a directory or a pattern', async () => {
    expect(await namesFleet([fleet.traces[0]!])).toBe(false);
    expect(await namesFleet(['-'])).toBe(false);
    expect(await namesFleet([join(fleet.dir, 'missing.arrow')])).toBe(false);
    expect(await namesFleet([fleet.traces[0]!, fleet.traces[1]!])).toBe(true);
    expect(await namesFleet([fleet.dir])).toBe(true);
    expect(await namesFleet([join(fleet.dir, '*.arrow')])).toBe(true);
  });
});

describe('recognizes', () => {
  it('knows traces by their name, a compression ending aside', () => {
    for (const f of ['a.arrow', 'a.arrows', 'a.csv.gz', 'a.ndjson.zst', 'a.jsonl', 'a.parquet', 'qemu.log.gz']) expect(recognizes(f), f).toBe(true);
    for (const f of ['README.md', 'a.qmp.json', 'a.txt', 'a.gz']) expect(recognizes(f), f).toBe(false);
  });
});

describe('expandTraceInputs (query, export --dataset)', () => {
  const dir = suiteDir('blocktime-trace-inputs-');
  mkdirSync(join(dir, 'b', '.hidden'), { recursive: true });
  copyFileSync('fixtures/examples/example1.csv', join(dir, 'z.csv'));
  copyFileSync('fixtures/qemu/example3-11.1.log.zst', join(dir, 'b', 'log.zst.log.zst'));
  // No known ending: recognized by its first bytes.
  copyFileSync('fixtures/sample.arrow', join(dir, 'b', 'capture-1'));
  copyFileSync('fixtures/examples/example2.csv', join(dir, 'b', '.hidden', 'x.csv'));
  writeFileSync(join(dir, 'b', 'README'), 'notes about these traces\n');
  // Looks like NDJSON, but its ending says what it is.
  writeFileSync(join(dir, 'b', 'expected.json'), '{"t_ns": 0, "kind": "vcpu", "tid": 1, "addr": 0, "cpu": 0}\n');

  it('takes files as given and directories as every trace under them (hidden ones aside), in name order, each once', async () => {
    expect(await expandTraceInputs([join(dir, 'z.csv'), dir])).toEqual({
      files: [join(dir, 'z.csv'), join(dir, 'b', 'capture-1'), join(dir, 'b', 'log.zst.log.zst')],
      directories: true,
    });
    expect(await expandTraceInputs(['missing.csv', '-'], { stdin: true })).toEqual({ files: ['missing.csv', '-'], directories: false });
  });

  it('refuses a directory holding no trace, naming it', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(expandTraceInputs([empty])).rejects.toThrow(`${empty}: no trace in this directory`);
  });
});
