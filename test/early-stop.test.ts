import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdTemporaryPath, onEarlyStop, releaseTemporaryPath, stopEarly } from '../src/early-stop.js';
import { testDir } from './tmp.js';

describe('stopping early', () => {
  it('cancels what runs before removing the paths held, each once; released paths and removed hooks are left alone', () => {
    const dir = testDir();
    const spill = join(dir, 'spill');
    const kept = join(dir, 'kept');
    mkdirSync(spill);
    writeFileSync(join(spill, 'block'), 'x');
    mkdirSync(kept);
    holdTemporaryPath(spill);
    holdTemporaryPath(kept);
    releaseTemporaryPath(kept);
    const calls: string[] = [];
    onEarlyStop(() => calls.push(existsSync(spill) ? 'cancel, spill still there' : 'cancel, too late'));
    const removed = onEarlyStop(() => calls.push('removed hook'));
    removed();
    expect(stopEarly()).toEqual([]);
    expect(calls).toEqual(['cancel, spill still there']);
    expect(existsSync(spill)).toBe(false);
    expect(existsSync(kept)).toBe(true);
    stopEarly();
    expect(calls).toHaveLength(1);
    releaseTemporaryPath(spill);
  });
});
