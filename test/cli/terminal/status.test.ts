import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { createStatus } from '../../../src/cli/terminal/status.js';
import { testDir } from '../../tmp.js';

function sink(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (d: string) => (text += d));
  return { stream, text: () => text };
}

describe('createStatus', () => {
  it('names each written file with its size, never stdout', async () => {
    const file = join(testDir(), 'out.csv');
    writeFileSync(file, 'x'.repeat(1536));
    const out = sink();
    const status = createStatus('convert', {}, out.stream);
    await status.wrote(file);
    await status.wrote('-');
    status.done();
    expect(out.text()).toBe(`wrote ${file} (1.5 KiB)\n`);
  });

  it('-q: nothing; -v: a last line with wall time, CPU time and peak memory', async () => {
    const file = join(testDir(), 'out.csv');
    writeFileSync(file, 'x');
    const quiet = sink();
    const q = createStatus('export', { quiet: true }, quiet.stream);
    await q.wrote(file);
    q.done();
    expect(quiet.text()).toBe('');
    const loud = sink();
    const v = createStatus('export', { verbose: true }, loud.stream);
    await v.wrote(file);
    v.done();
    expect(loud.text()).toMatch(/^wrote \S+ \(1 B\)\nexport: [\d,.]+ (ms|s) \(CPU [\d,.]+ (ms|s), peak memory [\d.]+ MiB\)\n$/);
  });
});
