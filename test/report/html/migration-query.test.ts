import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHtmlReport } from '../../../src/report/html/build.js';
import { blocktime } from '../../cli/run.js';
import { writeLogs } from '../../latency/two-sided-logs.js';

const dir = mkdtempSync(join(tmpdir(), 'blocktime-report-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report: the migration beside the trace', () => {
  it('with the source log: phases on the timeline and "where the time goes" (legs per vCPU, legs CDFs)', async () => {
    const { dst, src } = writeLogs(dir, 'rep');
    const trace = join(dir, 'rep.arrow');
    expect((await blocktime(['import', 'qemu-log', dst, '-o', trace, '--source', src, '--vcpus', '2'])).code).toBe(0);
    const { html, data } = await buildHtmlReport(trace);
    const m = data.migration!;
    // Phases are clipped to the trace's span: from its first row to its last.
    expect(m.phases.name).toEqual(['active', 'active', 'postcopy-active', 'postcopy-active']);
    expect(m.phases.side).toEqual(['destination', 'source', 'source', 'destination']);
    expect(Math.min(...m.phases.start_ns)).toBe(0);
    // The one rate-limit window of the source log, 3 ms in; the trace starts at its first row, page C's placement 0.6 ms in.
    expect(m.windows_ns).toEqual([2_400_000]);
    expect(m.legs!.served).toBe(2);
    // Per vCPU, each leg's sum: vCPU 0 served page A, vCPU 1 page D.
    const sums = m.legs!.per_vcpu.cpu.map((cpu, i) => [cpu, m.legs!.per_vcpu.leg[i], m.legs!.per_vcpu.ns[i]]);
    expect(sums).toEqual([
      [0, 'page_transit', 210_000],
      [0, 'request_transit', 100_000],
      [0, 'source_queue_wait', 2_000_000],
      [1, 'page_transit', 205_000],
      [1, 'request_transit', 100_000],
      [1, 'source_queue_wait', 200_000],
    ]);
    expect(m.legs!.cdf.fraction.filter((f) => f === 1)).toHaveLength(3);
    expect(html).toContain('<h2>Where the time goes</h2>');
    expect(html).toContain('id="chart-legs-vcpu"');
    expect(html).toContain("shaded bands are the migration's phases");
    expect(html).toContain("dashed rules mark where the source's rate-limit windows start");
  });

  it('a trace without one: no migration data, no section', async () => {
    const { html, data } = await buildHtmlReport('fixtures/examples/example1.csv');
    expect(data.migration).toBeUndefined();
    expect(html).not.toContain('Where the time goes');
  });
});
