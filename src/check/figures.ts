/**
 * Figure by figure: QEMU's reported value, the replay under the matching
 * design, their difference, and the `exact` figure (what the trace shows;
 * `exact - qemu` is what QEMU's own accounting missed).
 */
import type { AnalysisResult } from '../replay/result.js';
import { FIGURES, type FigureName, type Reported } from './expected.js';

export interface FigureCheck {
  figure: FigureName;
  /** vCPU index, or histogram bucket, for list figures. */
  index?: number;
  unit: 'ms' | 'ns' | 'faults';
  qemu: number;
  /** The matching design's value; null where that design does not compute the figure. */
  replay: number | null;
  /** `replay - qemu`. */
  diff: number | null;
  exact: number | null;
  /** Largest |diff| accepted. */
  allowed: number;
  /** null: not compared (the design does not compute it). */
  ok: boolean | null;
}

const UNIT: Record<FigureName, FigureCheck['unit']> = {
  'postcopy-blocktime': 'ms',
  'postcopy-vcpu-blocktime': 'ms',
  'postcopy-latency': 'ns',
  'postcopy-vcpu-latency': 'ns',
  'postcopy-non-vcpu-latency': 'ns',
  'postcopy-latency-dist': 'faults',
};

function exactFigure(exact: AnalysisResult, name: FigureName, i: number): number | null {
  const lat = exact.latency;
  switch (name) {
    case 'postcopy-blocktime':
      return Math.floor(exact.total_blocktime_ns / 1e6);
    case 'postcopy-vcpu-blocktime': {
      const v = exact.vcpu_blocktime_ns[i];
      return v === undefined ? null : Math.floor(v / 1e6);
    }
    case 'postcopy-latency':
      return lat ? Math.floor(lat.overall.mean_ns) : null;
    case 'postcopy-vcpu-latency': {
      const s = lat?.vcpu[i];
      return s ? Math.floor(s.mean_ns) : null;
    }
    case 'postcopy-non-vcpu-latency':
      return lat ? Math.floor(lat.non_vcpu.mean_ns) : null;
    case 'postcopy-latency-dist':
      return exact.latency_buckets[i] ?? null;
  }
}

export function compareFigures(reported: Reported, replay: AnalysisResult, exact: AnalysisResult, tolerance: number): FigureCheck[] {
  const rows: FigureCheck[] = [];
  const mine = (replay.qemu ?? {}) as Reported;
  for (const name of FIGURES) {
    const q = reported[name];
    if (q === undefined) continue;
    const r = mine[name];
    const list = Array.isArray(q);
    const qs = (list ? q : [q]) as number[];
    qs.forEach((qv, i) => {
      const rv = r === undefined ? null : list ? ((r as number[])[i] ?? null) : (r as number);
      const allowed = tolerance * qv;
      const row: FigureCheck = {
        figure: name,
        unit: UNIT[name],
        qemu: qv,
        replay: rv,
        diff: rv === null ? null : rv - qv,
        exact: exactFigure(exact, name, i),
        allowed,
        // A vCPU QEMU reported that the replay does not have is a mismatch; a figure the design lacks is not compared.
        ok: r === undefined ? null : rv === null ? false : Math.abs(rv - qv) <= allowed,
      };
      if (list) row.index = i;
      rows.push(row);
    });
  }
  return rows;
}
