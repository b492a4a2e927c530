/**
 * The simulator's future-event list: a binary min-heap over parallel typed
 * arrays, ordered by time and then by insertion order (so simultaneous events
 * keep a deterministic, first-scheduled-first order). No object per event;
 * it holds only what is pending (a few events per thread), so it stays small
 * however long the run.
 */
export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  private type: Uint8Array;
  private actor: Int32Array;
  private page: Uint32Array;
  private flags: Uint8Array;
  private nextSeq = 0;
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
    this.seq = new Float64Array(capacity);
    this.type = new Uint8Array(capacity);
    this.actor = new Int32Array(capacity);
    this.page = new Uint32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  /** Schedules an event at `this.at`. */
  push(type: number, actor: number, page: number, flags: number): void {
    if (this.size === this.time.length) this.grow();
    const time = this.at;
    const seq = this.nextSeq++;
    const { time: T, seq: S, type: Y, actor: A, page: P, flags: F } = this;
    // Sift up with a hole: move parents down until the new event fits.
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = T[p]!;
      if (pt < time || (pt === time && S[p]! < seq)) break;
      T[i] = pt;
      S[i] = S[p]!;
      Y[i] = Y[p]!;
      A[i] = A[p]!;
      P[i] = P[p]!;
      F[i] = F[p]!;
      i = p;
    }
    T[i] = time;
    S[i] = seq;
    Y[i] = type;
    A[i] = actor;
    P[i] = page;
    F[i] = flags;
  }

  /** Removes the earliest event into `t`, `evType`, `evActor`, `evPage`, `evFlags`. The queue must not be empty. */
  pop(): void {
    const { time: T, seq: S, type: Y, actor: A, page: P, flags: F } = this;
    this.t = T[0]!;
    this.evType = Y[0]!;
    this.evActor = A[0]!;
    this.evPage = P[0]!;
    this.evFlags = F[0]!;
    const n = --this.size;
    if (n === 0) return;
    const lt = T[n]!;
    const ls = S[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (T[r]! < T[c]! || (T[r]! === T[c]! && S[r]! < S[c]!))) c = r;
      const ct = T[c]!;
      if (lt < ct || (lt === ct && ls < S[c]!)) break;
      T[i] = ct;
      S[i] = S[c]!;
      Y[i] = Y[c]!;
      A[i] = A[c]!;
      P[i] = P[c]!;
      F[i] = F[c]!;
      i = c;
    }
    T[i] = lt;
    S[i] = ls;
    Y[i] = Y[n]!;
    A[i] = A[n]!;
    P[i] = P[n]!;
    F[i] = F[n]!;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const g = <T extends Float64Array | Uint8Array | Int32Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a as never);
      return b;
    };
    this.time = g(this.time, (n) => new Float64Array(n));
    this.seq = g(this.seq, (n) => new Float64Array(n));
    this.type = g(this.type, (n) => new Uint8Array(n));
    this.actor = g(this.actor, (n) => new Int32Array(n));
    this.page = g(this.page, (n) => new Uint32Array(n));
    this.flags = g(this.flags, (n) => new Uint8Array(n));
  }
}
