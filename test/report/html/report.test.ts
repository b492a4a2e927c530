import { describe, it, expect } from 'vitest';
import { buildHtmlReport } from '../../../src/report/html/build.js';
import type { ChartPayload } from '../../../src/report/html/charts.js';
import type { TimeRuns } from '../../../src/report/html/report-data.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simTrace } from './sim-trace.js';
import { testDir } from '../../tmp.js';

const EXAMPLE1 = 'fixtures/examples/example1.csv';

/** The rows of the page's per-vCPU table, cell by cell. */
function vcpuTableRows(html: string): string[][] {
  const table = /<summary>Per vCPU[^<]*<\/summary><table>.*?<tbody>(.*?)<\/tbody>/s.exec(html);
  expect(table).not.toBeNull();
  return [...table![1]!.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]!));
}
const ms = 1e6;

/** The chart payload embedded in the page, as the page's script reads it. */
function payload(html: string): ChartPayload[] {
  const m = /<script id="blocktime-charts" type="application\/json">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as ChartPayload[];
}

function runsOf(r: TimeRuns): Array<[number, number, number]> {
  return r.cpu.map((c, i) => [c, r.start_ns[i]!, r.end_ns[i]!]);
}

function blockedPerCpu(r: TimeRuns, vcpus: number): number[] {
  const out = new Array<number>(vcpus).fill(0);
  r.cpu.forEach((c, i) => (out[c] += r.blocked_ns[i]!));
  return out;
}

describe('HTML report', () => {
  it('is one self-contained page: nothing to fetch, every chart with its spec', async () => {
    const { html } = await buildHtmlReport(EXAMPLE1);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    // No external resource: no <link>, no src= attribute, no url() in the CSS.
    expect(/<link\b/i.test(html)).toBe(false);
    expect(/<(script|img|iframe)[^>]*\ssrc=/i.test(html)).toBe(false);
    expect(/<style>[^<]*url\(/.test(html)).toBe(false);
    // Scripts: the payload, the Vega runtime, the page's own.
    expect(html.match(/<script\b/g)).toHaveLength(3);
    const charts = payload(html);
    expect(charts.map((c) => c.id)).toEqual(['chart-timeline', 'chart-histogram', 'chart-cdf', 'chart-comparison']);
    for (const c of charts) {
      expect(html.includes(`<div class="chart" id="${c.id}"></div>`)).toBe(true);
      expect((c.spec as { marks?: unknown[] }).marks?.length).toBeGreaterThan(0);
    }
    expect(Buffer.byteLength(html)).toBeLessThan(1024 * 1024);
  });

  it('draws worked example 1 exactly: intervals, the all-down window, latencies, the three designs', async () => {
    const { html, data } = await buildHtmlReport(EXAMPLE1);
    expect(data.timeline.resolution_ns).toBe(0);
    expect(runsOf(data.timeline.blocked)).toEqual([
      [0, 10 * ms, 30 * ms],
      [0, 50 * ms, 80 * ms],
      [1, 20 * ms, 60 * ms],
      [2, 40 * ms, 70 * ms],
    ]);
    expect(runsOf(data.timeline.all_down)).toEqual([[-1, 50 * ms, 60 * ms]]);
    expect(data.latency_cdf).toEqual({ cpu: [0, 0, 1, 2], latency_ns: [20 * ms, 30 * ms, 40 * ms, 30 * ms], fraction: [0.5, 1, 1, 1] });
    expect(data.results.exact.vcpu_blocktime_ns).toEqual([50 * ms, 40 * ms, 30 * ms]);
    expect(data.results.atomic.total_blocktime_ns).toBe(10 * ms);
    // Cards and tables carry the figures as text.
    expect(html.includes('<div class="v">10 ms</div>')).toBe(true);
    expect(html.includes('<div class="v">120 ms</div>')).toBe(true);
    expect(html.includes('<td>120 ms</td>')).toBe(true);
    const timeline = payload(html)[0]!;
    expect(timeline.data.blocked!.start_ns).toEqual([10 * ms, 50 * ms, 20 * ms, 40 * ms]);
  });

  it('downsamples the timeline to its bar budget and keeps every blocked nanosecond', async () => {
    const trace = await simTrace('downsample', { vcpus: 4, faults: 3000 });
    const full = await buildHtmlReport(trace);
    const small = await buildHtmlReport(trace, { timelineBars: 200 });
    const { exact } = small.data.results;
    expect(full.data.timeline.resolution_ns).toBe(0);
    expect(full.data.timeline.blocked.cpu.length).toBe(full.data.timeline.interval_count);
    expect(small.data.timeline.interval_count).toBeGreaterThan(200);
    expect(small.data.timeline.resolution_ns).toBeGreaterThan(0);
    // At most budget / N bins per vCPU, plus one where the span does not divide evenly.
    expect(small.data.timeline.blocked.cpu.length).toBeLessThanOrEqual(200 + 4);
    const r = small.data.timeline.resolution_ns;
    small.data.timeline.blocked.start_ns.forEach((s, i) => {
      expect(s % r).toBe(0);
      expect(small.data.timeline.blocked.end_ns[i]! - s).toBe(r);
      expect(small.data.timeline.blocked.blocked_ns[i]!).toBeLessThanOrEqual(r);
    });
    expect(full.data.timeline.blocked.intervals.every((n) => n === 1)).toBe(true);
    // Binned or not, the bars hold the exact blocked time of each vCPU and of the whole VM.
    for (const d of [full.data, small.data]) {
      expect(blockedPerCpu(d.timeline.blocked, 4)).toEqual(exact.vcpu_blocktime_ns);
      expect(d.timeline.all_down.blocked_ns.reduce((a, b) => a + b, 0)).toBe(exact.total_blocktime_ns);
      expect(d.timeline.blocked.intervals.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(d.timeline.interval_count);
    }
  });

  it('draws each vCPU CDF through exact latencies, ending at its longest wait', async () => {
    const trace = await simTrace('cdf', { vcpus: 3, faults: 2000 });
    const { data } = await buildHtmlReport(trace);
    const stats = data.results.exact.latency!.vcpu;
    for (let c = 0; c < 3; c++) {
      const idx = data.latency_cdf.cpu.flatMap((x, i) => (x === c ? [i] : []));
      expect(idx.length).toBeGreaterThan(1);
      expect(idx.length).toBeLessThanOrEqual(257);
      const last = idx[idx.length - 1]!;
      expect(data.latency_cdf.fraction[last]).toBe(1);
      expect(data.latency_cdf.latency_ns[last]).toBe(stats[c]!.max_ns);
      const lat = idx.map((i) => data.latency_cdf.latency_ns[i]!);
      expect(lat).toEqual([...lat].sort((a, b) => a - b));
    }
  });

  it('heads the page with the trace\'s source as a short line, its JSON only in the tooltip', async () => {
    const { html } = await buildHtmlReport(await simTrace('source', { vcpus: 2, faults: 200 }));
    const line = /<span class="source" title="([^"]*)">([^<]*)<\/span>/.exec(html);
    expect(line).not.toBeNull();
    expect(line![2]).toMatch(/^source: simulator, seed 7, 2 vCPUs, 200 faults, memory [\d.]+ \w+, pattern \w+, latency [\d.]+ \w+$/);
    expect(line![1]).toContain('&#34;kind&#34;:&#34;sim&#34;');
  });

  it('says that a trace without faults has none, instead of empty charts and zero percentiles', async () => {
    const dir = testDir();
    const trace = join(dir, 'quiet.csv');
    writeFileSync(trace, 't_ns,kind,tid,addr,cpu\n0,vcpu,101,0,0\n0,vcpu,102,0,1\n5000,resolve,0,0x1000,\n');
    const { html } = await buildHtmlReport(trace);
    expect(html).toContain('<h2>No faults</h2>');
    expect(html).toContain('This trace has no fault rows');
    expect(payload(html)).toEqual([]);
    expect(html).not.toContain('id="chart-timeline"');
    expect(html).not.toContain('p50 0 ns');
    expect(html).toContain('<div class="k">fault latency (exact)</div><div class="v">none</div><div class="d">the trace has no faults</div>');
  });

  it('shows the vCPUs --cpu, --tid, --sort and --top ask for in its per-vCPU table, with p99.9; the sum row is the VM\'s', async () => {
    const all = vcpuTableRows((await buildHtmlReport(EXAMPLE1)).html);
    expect(all.map((r) => r[0])).toEqual(['0', '1', '2', 'sum']);
    expect(all[0]).toEqual(['0', '2', '50 ms', '50 ms', '50 ms', '20 ms', '30 ms', '30 ms', '30 ms']);
    const { html } = await buildHtmlReport(EXAMPLE1, { view: { tid: [102, 103], sort: 'latency', top: 1 } });
    const rows = vcpuTableRows(html);
    // vCPU 1 waited 40 ms once, vCPU 2 30 ms once.
    expect(rows.map((r) => r[0])).toEqual(['1', '1 more', 'sum']);
    expect(rows[2]!.slice(0, 3)).toEqual(['sum', '4', '120 ms']);
    expect(html).toContain('<summary>Per vCPU (1 of 3)</summary>');
    expect(html).toContain("vCPUs 1-2 shown (2 of 3); the sum and total are the whole VM&#39;s");
  });
});
