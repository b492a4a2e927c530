import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stopEarly } from '../src/early-stop.js';
import { FileSystemError } from '../src/errors.js';
import { createOutputFile, reserveOutput, temporaryPath, writeOutputFile } from '../src/output-file.js';
import { testDir } from './tmp.js';

describe('output files', () => {
  it('appear under their name only on commit; the temporary name is hidden beside it', async () => {
    const dir = testDir();
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'old');
    const out = await createOutputFile(path);
    await out.write([Buffer.from('a,'), Buffer.from('b\n')]);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(basename(temporaryPath(path))).toMatch(new RegExp(`^\\.out\\.csv\\.${process.pid}-[0-9a-f]{12}\\.tmp$`));
    expect(readdirSync(dir).sort()).toEqual([basename(temporaryPath(path)), 'out.csv'].sort());
    await out.commit();
    expect(readFileSync(path, 'utf8')).toBe('a,b\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('discard leaves the old file as it was', async () => {
    const dir = testDir();
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'old');
    const out = await createOutputFile(path);
    await out.write([Buffer.from('new')]);
    await out.discard();
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(readFileSync(path, 'utf8')).toBe('old');
  });

  it('a directory that is not there: PATH: cannot write here: no such directory', async () => {
    const path = join(testDir(), 'missing', 'x.html');
    const err = await writeOutputFile(path, '<p>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect((err as Error).message).toBe(`${path}: cannot write here: no such directory`);
  });

  it('an output that is a directory: refused at the rename, the temporary file removed', async () => {
    const dir = testDir();
    const err = await writeOutputFile(dir, 'x').catch((e: unknown) => e);
    expect((err as Error).message).toBe(`${dir}: cannot write here: is a directory`);
    expect(existsSync(temporaryPath(dir))).toBe(false);
  });

  it('the same output twice at once in one process: refused, the first one untouched', async () => {
    const path = join(testDir(), 'x.parquet');
    const first = reserveOutput(path);
    expect(() => reserveOutput(path)).toThrow(`${path}: already being written`);
    await first.discard();
  });

  it('stopEarly removes the outputs not yet committed and names them', async () => {
    const dir = testDir();
    const path = join(dir, 'x.arrow');
    const out = await createOutputFile(path);
    await out.write([Buffer.alloc(1000)]);
    expect(stopEarly()).toEqual([path]);
    expect(readdirSync(dir)).toEqual([]);
    await out.discard();
  });
});
