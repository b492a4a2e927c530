/**
 * The bundled sample trace (fixtures/sample.arrow, what `npm start`
 * analyzes): the simulator's default, realistic mix on 8 vCPUs for 3000
 * faults, so it holds re-entrant and late-resolved faults, non-vCPU and tid-0
 * faults, duplicates, faults on received pages and background placements,
 * and stays small. scripts/make-sample.mjs writes it; a test checks that the
 * committed file is what this request produces.
 */
import type { SimRequest } from './capture.js';

export const SAMPLE_REQUEST: SimRequest = { options: { seed: 1, vcpus: 8, faults: 3000 } };
