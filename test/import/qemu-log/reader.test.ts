import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { openInput } from '../../../src/formats/input.js';
import { lineChunks } from '../../../src/import/qemu-log/reader.js';

const dir = mkdtempSync(join(tmpdir(), 'blocktime-log-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lines(name: string, text: string): Promise<string[] | unknown> {
  const path = join(dir, name);
  writeFileSync(path, text);
  const input = await openInput(path);
  const out: string[] = [];
  try {
    for await (const chunk of lineChunks(input)) out.push(...chunk);
    return out;
  } catch (err) {
    return err;
  } finally {
    await input.close();
  }
}

describe('lineChunks: the lines of a log, one chunk at a time', () => {
  it('a line of exactly 1 MiB (its newline aside) is read, after CRLF lines', async () => {
    const long = 'x'.repeat(1 << 20);
    expect(await lines('at.log', `a\r\nb\r\n${long}\nc`)).toEqual(['a', 'b', long, 'c']);
  });

  it('one byte more is refused at its line, without reading the rest of it', async () => {
    const err = await lines('over.log', `a\nb\n${'x'.repeat((1 << 20) + 1)}\nc\n`);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${join(dir, 'over.log')}: line 3: a line longer than 1048576 bytes; expected one trace event per line`);
  });

  it('a file that is one endless line is refused as soon as it passes the limit', async () => {
    const err = await lines('endless.log', 'y'.repeat(8 << 20));
    expect((err as Error).message).toMatch(/: line 1: a line longer than 1048576 bytes/);
  });
});
