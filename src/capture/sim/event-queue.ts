/**
 * The simulator's future-event list: a binary min-heap on time over parallel
 * typed arrays, no object per event. Each event is a time, a page and one
 * packed word (thread << 8 | type << 4 | flags), so a sift step moves three
 * numbers. Events at exactly the same time come out in an order fixed by the
 * sequence of pushes and pops, so a run is reproducible without a tie-break
 * counter. It holds only what is pending (a few events per thread).
 */
export class EventQueue {
  private time: Float64Array;
  private word: Int32Array;
  private page: Uint32Array;
  size = 0;

  /**
   * Time of the next `push`. Set it before the call: a double passed as an
   * argument to a call V8 does not inline is boxed on the heap, and the
   * simulator pushes millions of events.
   */
  at = 0.5;
  /** The fields of the event `pop()` removed last. */
  t = 0.5;
  evType = 0;
  evActor = 0;
  evPage = 0;
  evFlags = 0;

  constructor(capacity = 256) {
    this.time = new Float64Array(capacity);
    this.word = new Int32Array(capacity);
    this.page = new Uint32Array(capacity);
  }

  /** Schedules an event at `this.at`. `type` < 16, `flags` < 16, `actor` >= -1 and < 2^23. */
  push(type: number, actor: number, page: number, flags: number): void {
    if (this.size === this.time.length) this.grow();
    const time = this.at;
    const word = ((actor + 1) << 8) | (type << 4) | flags;
    const { time: T, word: W, page: P } = this;
    // Sift up with a hole: move parents down until the new event fits.
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = T[p]!;
      if (pt <= time) break;
      T[i] = pt;
      W[i] = W[p]!;
      P[i] = P[p]!;
      i = p;
    }
    T[i] = time;
    W[i] = word;
    P[i] = page;
  }

  /** Removes the earliest event into `t`, `evType`, `evActor`, `evPage`, `evFlags`. The queue must not be empty. */
  pop(): void {
    const { time: T, word: W, page: P } = this;
    this.t = T[0]!;
    const w = W[0]!;
    this.evType = (w >> 4) & 15;
    this.evFlags = w & 15;
    this.evActor = (w >> 8) - 1;
    this.evPage = P[0]!;
    const n = --this.size;
    if (n === 0) return;
    const lt = T[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && T[c + 1]! < T[c]!) c++;
      const ct = T[c]!;
      if (lt <= ct) break;
      T[i] = ct;
      W[i] = W[c]!;
      P[i] = P[c]!;
      i = c;
    }
    T[i] = lt;
    W[i] = W[n]!;
    P[i] = P[n]!;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const time = new Float64Array(cap);
    const word = new Int32Array(cap);
    const page = new Uint32Array(cap);
    time.set(this.time);
    word.set(this.word);
    page.set(this.page);
    this.time = time;
    this.word = word;
    this.page = page;
  }
}
