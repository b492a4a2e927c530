/**
 * The report's timeline and latency CDFs from the `exact` replay itself
 * (src/replay/exact.ts calls it as it closes each wait): the same runs,
 * all-down windows and latencies as the SQL relations `blocked_intervals`,
 * `all_down_intervals` and `faults` define (docs/sql.md), without building
 * them. A vCPU's waits close in the order they opened (a thread waits on one
 * fault at a time), so while times do not go backwards its runs are merged
 * as they close, a run handed on once a wait starts past its end.
 *
 * That holds only while times go forward: when they go backwards anywhere
 * in the trace (`disordered`), the report takes these from SQL instead
 * (build.ts), whose definitions sort by time.
 */
import type { ExactObserver } from '../../replay/exact.js';
import type { TraceBatch } from '../../trace/batch.js';
import type { WindowBounds } from '../../replay/window.js';
import { LatencyCdfBuilder } from './latency-cdf.js';
import type { LatencyCdf, Timeline } from './report-data.js';
import { TimelineBuilder } from './timeline-builder.js';

export interface Charts {
  timeline: Timeline;
  latency_cdf: LatencyCdf;
}

export class ChartObserver implements ExactObserver {
  /** Times went backwards: what this drew does not hold. */
  disordered = false;
  private lastT = -Infinity;
  private timeline = new TimelineBuilder(0);
  private cdf = new LatencyCdfBuilder(0);
  private runOpen = new Uint8Array(0);
  private runStart = new Float64Array(0);
  private runEnd = new Float64Array(0);
  /** The window's bounds (open: infinite); a CDF counts the waits that end inside it, from the first row on when it has no start. */
  private readonly since: number;
  private readonly until: number;
  private readonly endsFrom: number;

  constructor(
    window: WindowBounds | undefined,
    private readonly budget: number,
  ) {
    this.since = window?.since ?? -Infinity;
    this.until = window?.until ?? Infinity;
    this.endsFrom = window === undefined ? -Infinity : window.since === -Infinity ? 0 : window.since;
  }

  size(n: number): void {
    this.timeline = new TimelineBuilder(n, this.budget);
    this.cdf = new LatencyCdfBuilder(n);
    this.runOpen = new Uint8Array(n);
    this.runStart = new Float64Array(n);
    this.runEnd = new Float64Array(n);
  }

  /** Watches the rows' times, a batch at a time: one that goes back spoils the in-order merges. */
  consume(_b: TraceBatch, rel: Float64Array): void {
    let last = this.lastT;
    for (let i = 0; i < rel.length; i++) {
      const t = rel[i]!;
      if (t < last) this.disordered = true;
      last = t;
    }
    this.lastT = last;
  }

  wait(cpu: number, start: number, end: number): void {
    if (end >= this.endsFrom && end < this.until) this.cdf.add(cpu, end > start ? end - start : 0);
    // Empty waits are in no run.
    if (!(end > start)) return;
    if (this.runOpen[cpu] === 1) {
      // Touching waits join one run.
      if (start <= this.runEnd[cpu]!) {
        if (end > this.runEnd[cpu]!) this.runEnd[cpu] = end;
        return;
      }
      this.handOn(cpu);
    }
    this.runOpen[cpu] = 1;
    this.runStart[cpu] = start;
    this.runEnd[cpu] = end;
  }

  allDown(start: number, end: number): void {
    const s = Math.max(start, this.since);
    const e = Math.min(end, this.until);
    if (e > s) this.timeline.allDown(s, e);
  }

  finish(): Charts {
    for (let cpu = 0; cpu < this.runOpen.length; cpu++) if (this.runOpen[cpu] === 1) this.handOn(cpu);
    return { timeline: this.timeline.finish(), latency_cdf: this.cdf.finish() };
  }

  /** `cpu`'s current run, clipped to the window. */
  private handOn(cpu: number): void {
    const s = Math.max(this.runStart[cpu]!, this.since);
    const e = Math.min(this.runEnd[cpu]!, this.until);
    if (e > s) this.timeline.run(cpu, s, e);
    this.runOpen[cpu] = 0;
  }
}
