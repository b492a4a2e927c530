import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { blocktime } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'blocktime-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('capture --sim, then analyze', () => {
  it('a simulated trace is deterministic and analyzable by every variant', async () => {
    const args = ['capture', '--sim', '--vcpus', '4', '--faults', '2000', '--seed', '7'];
    const [a, b] = await Promise.all([blocktime([...args, '-o', join(dir, 'a.arrow')]), blocktime([...args, '-o', join(dir, 'b.arrow')])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(join(dir, 'a.arrow')).equals(readFileSync(join(dir, 'b.arrow')))).toBe(true);

    const r = await blocktime(['analyze', join(dir, 'a.arrow'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { vcpus: number; events: { fault: number }; vcpu_faults: number[] };
    expect(j.vcpus).toBe(4);
    expect(j.events.fault).toBe(2000);
    expect(j.vcpu_faults.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);

    const human = await blocktime(['analyze', join(dir, 'a.arrow'), '--variant', 'exact']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/vCPUs\s+4\s/);
  });
});
