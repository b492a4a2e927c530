/**
 * The report's timeline, built from runs of time handed over one at a time
 * in any order: each vCPU's blocked runs (`blocked_intervals`) and the
 * windows when every vCPU was down (`all_down_intervals`), as offsets from
 * the trace's first row. Memory stays a few bins per vCPU whatever the
 * trace's length, so the report never holds its intervals.
 *
 * Up to `budget` runs are drawn as they are. Beyond that, time is cut into
 * bins of one width for every vCPU, aligned on the first row: the smallest
 * power of two in ns for which the runs' span touches at most `budget / N`
 * bins (and no more than the chart is wide in pixels: finer bins would share
 * a pixel; no fewer than two, as a span may straddle a bin edge however
 * wide the bins). Each bin in which a vCPU was blocked is one bar, whose
 * `blocked_ns` is the exact time blocked inside it (a run across bins is
 * split at their edges) and whose `intervals` counts the runs it touches.
 * A power of two lets the width double as the runs' span grows, each pair
 * of bins merging into one, without going back to the runs: a bin keeps
 * how many of its runs go on into the next one, so that the merged bin
 * counts such a run once.
 *
 * All-down windows that touch (one ends where the next starts) are one
 * window here: they are drawn and counted as one.
 */
import { CHART_WIDTH_PX, type Timeline, type TimeRuns } from './report-data.js';

/** Bars drawn at most (about), so that the page opens in about a second. */
export const TIMELINE_BAR_BUDGET = 12_000;

/** Runs kept as they are, until there are more than the budget. */
interface Verbatim {
  track: number[];
  start: number[];
  end: number[];
}

export class TimelineBuilder {
  /** Bins per vCPU at most. */
  private readonly cap: number;
  /** One track per vCPU, then the all-down windows. */
  private readonly tracks: number;
  private readonly downTrack: number;
  private verbatim: Verbatim | null = { track: [], start: [], end: [] };
  private runs = 0;
  private windows = 0;
  /** The all-down window not handed on yet: the next one may continue it. */
  private pendingStart = NaN;
  private pendingEnd = NaN;
  private min = Infinity;
  private max = -Infinity;
  /** Bin width (0 while runs are kept as they are) and the index of the first bin stored. */
  private width = 0;
  private lo = 0;
  /** Where the bins stored begin and end, in ns: a run inside them needs no refit. */
  private loEdge = 0;
  private hiEdge = 0;
  /** Per track and bin (track * cap + bin - lo): time blocked, runs touching it, runs touching it and the next. */
  private blocked = new Float64Array(0);
  private touching = new Float64Array(0);
  private onward = new Float64Array(0);

  constructor(
    vcpus: number,
    private readonly budget = TIMELINE_BAR_BUDGET,
  ) {
    this.cap = Math.max(2, Math.min(CHART_WIDTH_PX, Math.floor(budget / Math.max(1, vcpus))));
    this.tracks = vcpus + 1;
    this.downTrack = vcpus;
  }

  /** vCPU `cpu` was blocked over [start, end), a run of its own (not touching another of its runs); end > start. */
  run(cpu: number, start: number, end: number): void {
    this.runs++;
    this.add(cpu, start, end);
    if (this.verbatim !== null && this.runs > this.budget) this.toBins();
  }

  /** Every vCPU was down over [start, end), end > start; windows come in time order. */
  allDown(start: number, end: number): void {
    if (start === this.pendingEnd) {
      this.pendingEnd = end;
      return;
    }
    this.flushWindow();
    this.pendingStart = start;
    this.pendingEnd = end;
  }

  finish(): Timeline {
    this.flushWindow();
    const common = { interval_count: this.runs, all_down_count: this.windows };
    if (this.verbatim !== null) {
      const v = this.verbatim;
      const order = v.track.map((_, i) => i).sort((a, b) => v.track[a]! - v.track[b]! || v.start[a]! - v.start[b]!);
      const blocked = emptyRuns();
      const allDown = emptyRuns();
      for (const i of order) {
        const down = v.track[i] === this.downTrack;
        const into = down ? allDown : blocked;
        into.cpu.push(down ? -1 : v.track[i]!);
        into.start_ns.push(v.start[i]!);
        into.end_ns.push(v.end[i]!);
        into.blocked_ns.push(v.end[i]! - v.start[i]!);
        into.intervals.push(1);
      }
      return { resolution_ns: 0, ...common, blocked, all_down: allDown };
    }
    const blocked = emptyRuns();
    const allDown = emptyRuns();
    for (let track = 0; track < this.tracks; track++) {
      const down = track === this.downTrack;
      const into = down ? allDown : blocked;
      for (let k = 0; k < this.cap; k++) {
        const at = track * this.cap + k;
        if (this.touching[at] === 0) continue;
        const bin = this.lo + k;
        into.cpu.push(down ? -1 : track);
        into.start_ns.push(bin * this.width);
        into.end_ns.push((bin + 1) * this.width);
        into.blocked_ns.push(this.blocked[at]!);
        into.intervals.push(this.touching[at]!);
      }
    }
    return { resolution_ns: this.width, ...common, blocked, all_down: allDown };
  }

  private flushWindow(): void {
    if (Number.isNaN(this.pendingEnd)) return;
    this.windows++;
    this.add(this.downTrack, this.pendingStart, this.pendingEnd);
    this.pendingStart = this.pendingEnd = NaN;
  }

  private add(track: number, start: number, end: number): void {
    if (start < this.min) this.min = start;
    if (end > this.max) this.max = end;
    if (this.verbatim !== null) {
      this.verbatim.track.push(track);
      this.verbatim.start.push(start);
      this.verbatim.end.push(end);
      return;
    }
    if (start < this.loEdge || end > this.hiEdge) this.fit();
    this.addToBins(track, start, end);
  }

  /** From runs kept as they are to bins: the first width that fits, then every run kept so far. */
  private toBins(): void {
    const v = this.verbatim!;
    this.verbatim = null;
    this.width = 1;
    while (this.span(this.width) > this.cap) this.width *= 2;
    this.lo = Math.floor(this.min / this.width);
    const size = this.tracks * this.cap;
    this.blocked = new Float64Array(size);
    this.touching = new Float64Array(size);
    this.onward = new Float64Array(size);
    this.setEdges();
    for (let i = 0; i < v.track.length; i++) this.addToBins(v.track[i]!, v.start[i]!, v.end[i]!);
  }

  /** Bins of `width` from the first run's to the last one's. */
  private span(width: number): number {
    return Math.floor((this.max - 1) / width) - Math.floor(this.min / width) + 1;
  }

  /** Widens the bins until the span fits, then moves the first bin stored to the span's. */
  private fit(): void {
    while (this.span(this.width) > this.cap) this.double();
    const lo = Math.floor(this.min / this.width);
    if (lo < this.lo) this.shift(this.lo - lo);
    this.setEdges();
  }

  private setEdges(): void {
    this.loEdge = this.lo * this.width;
    this.hiEdge = (this.lo + this.cap) * this.width;
  }

  /** Bins twice as wide: bins 2b and 2b + 1 become bin b. */
  private double(): void {
    const cap = this.cap;
    const lo = Math.floor(this.lo / 2);
    const blocked = new Float64Array(this.blocked.length);
    const touching = new Float64Array(this.touching.length);
    const onward = new Float64Array(this.onward.length);
    for (let track = 0; track < this.tracks; track++) {
      const base = track * cap;
      for (let k = 0; k < cap; k++) {
        const from = base + k;
        if (this.touching[from] === 0) continue;
        const bin = this.lo + k;
        const to = base + Math.floor(bin / 2) - lo;
        blocked[to]! += this.blocked[from]!;
        touching[to]! += this.touching[from]!;
        // A run touching both halves is one run of the merged bin; what goes on past the second half goes on past it.
        if (bin % 2 === 0) touching[to]! -= this.onward[from]!;
        else onward[to] = this.onward[from]!;
      }
    }
    this.blocked = blocked;
    this.touching = touching;
    this.onward = onward;
    this.lo = lo;
    this.width *= 2;
  }

  /** Moves every track's bins `by` places on: the span now starts earlier. */
  private shift(by: number): void {
    for (const a of [this.blocked, this.touching, this.onward]) {
      for (let track = 0; track < this.tracks; track++) {
        const base = track * this.cap;
        a.copyWithin(base + by, base, base + this.cap - by);
        a.fill(0, base, base + by);
      }
    }
    this.lo -= by;
  }

  private addToBins(track: number, start: number, end: number): void {
    const w = this.width;
    const first = Math.floor(start / w);
    const last = Math.floor((end - 1) / w);
    const base = track * this.cap - this.lo;
    for (let bin = first; bin <= last; bin++) {
      const at = base + bin;
      this.blocked[at]! += Math.min(end, (bin + 1) * w) - Math.max(start, bin * w);
      this.touching[at]!++;
      if (bin < last) this.onward[at]!++;
    }
  }
}

function emptyRuns(): TimeRuns {
  return { cpu: [], start_ns: [], end_ns: [], blocked_ns: [], intervals: [] };
}
