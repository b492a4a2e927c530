/**
 * Issue 11, case 3 and its siblings: `analyze --expect` with a QEMU result
 * far larger than any VM's (a 200k-entry vCPU list, as QMP JSON and as HMP
 * text wrapped every 10 values, and HMP ranges that would expand to
 * billions). Parsed, or refused with one line and exit 2; never the stack
 * overflow (`Math.max(...list)`) or the out-of-memory abort of before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blocktime } from '../cli/run.js';
import { suiteDir } from '../tmp.js';

const dir = suiteDir('blocktime-adversarial-expect-');
const TRACE = 'fixtures/sample.arrow';
const N = 200_000;
const list = Array.from({ length: N }, (_, i) => i % 7);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const qmp = file('big.json', JSON.stringify({ return: { status: 'completed', 'postcopy-blocktime': 5, 'postcopy-vcpu-blocktime': list } }));

/** HMP `info migrate -a` as QEMU prints a long list: `[` on the line after the label, ten values a line. */
function hmpWrapped(): string {
  const lines = ['Migration status: completed', 'postcopy blocktime: 5', 'postcopy vcpu blocktime:'];
  for (let i = 0; i < N; i += 10) lines.push(`${i === 0 ? ' [' : '  '}${list.slice(i, i + 10).join(', ')}${i + 10 < N ? ',' : ']'}`);
  return lines.join('\n') + '\n';
}
const hmp = file('big.hmp', hmpWrapped());

/** The last line of the verdict: every figure was read and compared. */
const verdict = (stdout: string): string => stdout.trimEnd().split('\n').filter((l) => /^(PASS|MISMATCH)/.test(l))[0] ?? '';

describe('analyze --expect with a 200k-entry vCPU list', () => {
  it('analyze fixtures/sample.arrow --expect big.json (QMP): read whole; N comes from the list', async () => {
    const r = await blocktime(['analyze', TRACE, '--expect', qmp]);
    expect(r.stderr).not.toMatch(/internal error|Maximum call stack/);
    // 200k vCPUs against a trace of 8: a mismatch (3), or exit 2 where N is capped below 200k; one line either way.
    if (r.code === 2) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    else {
      expect(r.code).toBe(3);
      expect(verdict(r.stdout)).toMatch(new RegExp(`^MISMATCH: [\\d,]+ of ${N + 1} figures differ`));
    }
  });

  it('analyze fixtures/sample.arrow --expect big.json --vcpus 8: every one of the 200k rows compared', async () => {
    const r = await blocktime(['analyze', TRACE, '--expect', qmp, '--vcpus', '8']);
    expect(r.stderr).toBe(`blocktime: warning: ${qmp} reports ${N} vCPUs, the trace has N = 8\n`);
    expect(r.code).toBe(3);
    expect(verdict(r.stdout)).toMatch(new RegExp(`^MISMATCH: [\\d,]+ of ${N + 1} figures differ`));
    expect(r.stdout).toContain(`postcopy-vcpu-blocktime[${N - 1}] (ms)`);
  });

  it('analyze fixtures/sample.arrow --expect big.hmp --vcpus 8 (HMP, wrapped every 10 values)', async () => {
    const r = await blocktime(['analyze', TRACE, '--expect', hmp, '--vcpus', '8']);
    expect(r.stderr).toBe(`blocktime: warning: ${hmp} reports ${N} vCPUs, the trace has N = 8\n`);
    expect(r.code).toBe(3);
    expect(verdict(r.stdout)).toMatch(new RegExp(`^MISMATCH: [\\d,]+ of ${N + 1} figures differ`));
  });

  it('analyze fixtures/sample.arrow --expect ranges.hmp ("0-1000000" a thousand times): refused, not 10^9 values', async () => {
    const ranges = file('ranges.hmp', `postcopy blocktime: 5\npostcopy vcpu blocktime: [${Array(1000).fill('0-1000000').join(',')}]\n`);
    const r = await blocktime(['analyze', TRACE, '--expect', ranges]);
    expect(r.stderr).toBe(`blocktime: ${ranges}: line 2: "postcopy vcpu blocktime: [0-1000000,0-1000000,0-1000000,0-10...": more than 1,000,000 values; expected one per vCPU\n`);
    expect(r.code).toBe(2);
  });

  it('analyze fixtures/sample.arrow --expect huge-range.hmp ("9007199254740992-9007199254740993"): refused, not a loop that never ends', async () => {
    const huge = file('huge-range.hmp', 'postcopy blocktime: 5\npostcopy vcpu blocktime: [9007199254740992-9007199254740993]\n');
    const r = await blocktime(['analyze', TRACE, '--expect', huge]);
    expect(r.stderr).toBe(`blocktime: ${huge}: line 2: "postcopy vcpu blocktime: [9007199254740992-9007199254740993]": expected a list of integers, or ranges a-b with a <= b\n`);
    expect(r.code).toBe(2);
  });

  it('analyze fixtures/sample.arrow --expect huge.hmp (a blocktime of 10^30 ms): refused, as QMP JSON refuses it', async () => {
    const huge = file('huge.hmp', `postcopy blocktime: 1${'0'.repeat(30)}\n`);
    const r = await blocktime(['analyze', TRACE, '--expect', huge]);
    expect(r.stderr).toBe(`blocktime: ${huge}: line 1: "postcopy blocktime: 1${'0'.repeat(30)}": expected an integer below 2^53\n`);
    expect(r.code).toBe(2);
  });
});
