/**
 * Entries of the replay's lists (pending faults, open intervals) live in
 * typed-array columns indexed by slot, never in objects. This is the one
 * allocator behind every such pool: a free list chained through `next` (the
 * column that also chains a live slot into its page's list), growth by
 * doubling, and a count of live slots. A pool adds its own columns and
 * widens them in `growColumns`.
 */
export abstract class SlotPool {
  next = new Int32Array(1024);
  /** Slots ever handed out: every live slot is below it. */
  top = 0;
  /** Slots allocated and not released. */
  live = 0;
  private free = -1;

  /** A slot; its columns still hold what the last user wrote. */
  protected allocSlot(): number {
    let e = this.free;
    if (e >= 0) this.free = this.next[e]!;
    else {
      if (this.top === this.next.length) this.grow();
      e = this.top++;
    }
    this.live++;
    return e;
  }

  /** Releases one slot. */
  protected releaseSlot(e: number): void {
    this.next[e] = this.free;
    this.free = e;
    this.live--;
  }

  /** Releases a whole list of `count` slots chained through `next` from `head` to `last`, at once. */
  releaseList(head: number, last: number, count: number): void {
    this.next[last] = this.free;
    this.free = head;
    this.live -= count;
  }

  /** Replaces each of the pool's own columns by a copy of `capacity` slots. */
  protected abstract growColumns(capacity: number): void;

  private grow(): void {
    const capacity = this.next.length * 2;
    this.next = widen(this.next, new Int32Array(capacity));
    this.growColumns(capacity);
  }
}

/** A pool whose slots also say whether they are live, for a scan over `[0, top)` at the end of a replay. */
export abstract class FlaggedSlotPool extends SlotPool {
  alive = new Uint8Array(1024);

  alloc(): number {
    const e = this.allocSlot();
    this.alive[e] = 1;
    return e;
  }

  release(e: number): void {
    this.alive[e] = 0;
    this.releaseSlot(e);
  }

  protected growColumns(capacity: number): void {
    this.alive = widen(this.alive, new Uint8Array(capacity));
    this.growOwnColumns(capacity);
  }

  protected abstract growOwnColumns(capacity: number): void;
}

/** `fresh` with `old`'s values at its start: a column after growth. */
export function widen<T extends Int32Array | Uint32Array | Float64Array | Uint8Array>(old: T, fresh: T): T {
  fresh.set(old);
  return fresh;
}
