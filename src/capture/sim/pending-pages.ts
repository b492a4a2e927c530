/**
 * Pages some thread is waiting on or has requested, from the first access
 * until the resolve is accounted: an open-addressing table (linear probing,
 * backward-shift deletion) keyed by 32-bit page index. It holds at most a few
 * entries per thread, so its size is bounded by the threads, not the run.
 */
export const NO_PAGE = 0xffffffff;

export class PendingPages {
  private keys!: Uint32Array;
  /** First thread waiting on the page (threads chain through the simulator's `nextWaiter`), or -1. */
  waiterHead!: Int32Array;
  /** When the requested page will be placed, ns; Infinity until it is requested. */
  placeTime!: Float64Array;
  /** A page whose resolve is held until this page's resolve has been accounted (the late order), or NO_PAGE. */
  chained!: Uint32Array;
  private mask = 0;
  private shift = 0;
  private count = 0;

  constructor(capacity = 64) {
    this.allocate(1 << Math.ceil(Math.log2(Math.max(16, capacity))));
  }

  /** Empty columns of `cap` slots, a power of two. */
  private allocate(cap: number): void {
    this.keys = new Uint32Array(cap).fill(NO_PAGE);
    this.waiterHead = new Int32Array(cap);
    this.placeTime = new Float64Array(cap);
    this.chained = new Uint32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    this.count = 0;
  }

  private home(page: number): number {
    // Fibonacci hashing: the product's high bits mix every bit of the page index.
    return Math.imul(page, 0x9e3779b1) >>> this.shift;
  }

  /** The slot of `page`, or -1. */
  find(page: number): number {
    const keys = this.keys;
    for (let i = this.home(page); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === page) return i;
      if (k === NO_PAGE) return -1;
    }
  }

  /** The slot of `page`, created empty (no waiter, not requested, nothing chained) if absent. */
  insert(page: number): number {
    let s = this.find(page);
    if (s >= 0) return s;
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    for (s = this.home(page); keys[s] !== NO_PAGE; s = (s + 1) & this.mask);
    keys[s] = page;
    this.waiterHead[s] = -1;
    this.placeTime[s] = Infinity;
    this.chained[s] = NO_PAGE;
    this.count++;
    return s;
  }

  remove(page: number): void {
    let i = this.find(page);
    if (i < 0) return;
    const { keys, mask } = this;
    this.count--;
    // Backward shift: pull later entries of the probe run into the hole, so no tombstones accumulate.
    for (let j = (i + 1) & mask; keys[j] !== NO_PAGE; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      const movable = i <= j ? h <= i || h > j : h <= i && h > j;
      if (movable) {
        keys[i] = keys[j]!;
        this.waiterHead[i] = this.waiterHead[j]!;
        this.placeTime[i] = this.placeTime[j]!;
        this.chained[i] = this.chained[j]!;
        i = j;
      }
    }
    keys[i] = NO_PAGE;
  }

  private grow(): void {
    const { keys, waiterHead, placeTime, chained } = this;
    this.allocate(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === NO_PAGE) continue;
      const s = this.insert(keys[i]!);
      this.waiterHead[s] = waiterHead[i]!;
      this.placeTime[s] = placeTime[i]!;
      this.chained[s] = chained[i]!;
    }
  }
}
