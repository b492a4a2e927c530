import { describe, expect, it } from 'vitest';
import { FlaggedSlotPool, widen } from '../../src/replay/slot-pool.js';

class TimedPool extends FlaggedSlotPool {
  t = new Float64Array(1024);
  protected growOwnColumns(capacity: number): void {
    this.t = widen(this.t, new Float64Array(capacity));
  }
}

describe('slot pools', () => {
  it('recycle released slots first, keep every column through growth, and count live slots', () => {
    const pool = new TimedPool();
    const slots: number[] = [];
    for (let k = 0; k < 5000; k++) {
      const e = pool.alloc();
      pool.t[e] = k;
      slots.push(e);
    }
    expect(new Set(slots).size).toBe(5000);
    expect(pool.next.length).toBeGreaterThanOrEqual(5000);
    expect(pool.t.length).toBe(pool.next.length);
    expect(pool.alive.length).toBe(pool.next.length);
    slots.forEach((e, k) => expect(pool.t[e]).toBe(k));
    pool.release(slots[10]!);
    pool.release(slots[20]!);
    expect(pool.live).toBe(4998);
    expect(pool.alive[slots[10]!]).toBe(0);
    expect([pool.alloc(), pool.alloc()].sort()).toEqual([slots[10]!, slots[20]!].sort());
    expect(pool.top).toBe(5000);
  });

  it('release a chained list at once', () => {
    const pool = new TimedPool();
    const a = pool.alloc();
    const b = pool.alloc();
    const c = pool.alloc();
    pool.next[a] = b;
    pool.next[b] = c;
    pool.releaseList(a, c, 3);
    expect(pool.live).toBe(0);
    expect(new Set([pool.alloc(), pool.alloc(), pool.alloc()])).toEqual(new Set([a, b, c]));
    expect(pool.top).toBe(3);
  });
});
