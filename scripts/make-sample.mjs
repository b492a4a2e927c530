#!/usr/bin/env node
// Regenerates fixtures/sample.arrow, the trace `npm start` analyzes, from
// SAMPLE_REQUEST (src/capture/sim/sample.ts). Deterministic: rerunning it
// reproduces the committed file byte for byte, which test/capture/sim/sample.test.ts
// checks; run it after any change to the simulator.
// Usage: npm run build && node scripts/make-sample.mjs [OUT]
import { fileURLToPath } from 'node:url';
import { simulateToWriter } from '../dist/capture/sim/capture.js';
import { SAMPLE_REQUEST } from '../dist/capture/sim/sample.js';
import { createTraceWriter } from '../dist/formats/write.js';

const out = process.argv[2] ?? fileURLToPath(new URL('../fixtures/sample.arrow', import.meta.url));
const { stats } = await simulateToWriter(SAMPLE_REQUEST, (meta, batchRows) => createTraceWriter(out, meta, { batchRows }));
process.stdout.write(`wrote ${out}: ${JSON.stringify(stats)}\n`);
