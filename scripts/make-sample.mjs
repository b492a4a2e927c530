#!/usr/bin/env node
// Regenerates fixtures/sample.arrow, the trace `npm start` analyzes, with the
// simulator's default (realistic) mix: 8 vCPUs, 3000 faults, re-entrant and
// late-resolved faults, non-vCPU and tid-0 faults, duplicates, faults on
// already-received pages, and the background placement stream. Deterministic:
// rerunning it reproduces the committed file byte for byte.
// Usage: npm run build && node scripts/make-sample.mjs [OUT]
import { fileURLToPath } from 'node:url';
import { simulateToWriter } from '../dist/capture/sim/capture.js';
import { createTraceWriter } from '../dist/trace/write.js';

export const SAMPLE_REQUEST = { options: { seed: 1, vcpus: 8, faults: 3000 } };

const out = process.argv[2] ?? fileURLToPath(new URL('../fixtures/sample.arrow', import.meta.url));
const { stats } = await simulateToWriter(SAMPLE_REQUEST, (meta, batchRows) => createTraceWriter(out, meta, { batchRows }));
process.stdout.write(`wrote ${out}: ${JSON.stringify(stats)}\n`);
