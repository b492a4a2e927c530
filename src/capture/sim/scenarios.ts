/**
 * Named presets, each exercising one way the three designs (docs/blocktime.md:
 * `mutex`, `atomic`, `exact`) part ways, with every other irregularity off so
 * that the divergence seen is the one named. Options given explicitly still
 * override a preset.
 */
import type { SimOptions } from './options.js';

export type ScenarioName = 'clean' | 'reentrant' | 'late-resolve' | 'received-race' | 'non-vcpu' | 'kvm-async-pf';

export interface Scenario {
  name: ScenarioName;
  /** One line for `--help`. */
  summary: string;
  /** What each design does with it (the README table). */
  divergence: string;
  options: Partial<SimOptions>;
}

const NONE_OF_THEM: Partial<SimOptions> = { reentrant: 0, lateResolve: 0, duplicate: 0, received: 0, nonVcpu: 0, tid0: 0 };

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'clean',
    summary: 'no irregularity: every fault is resolved and accounted before its vCPU faults again',
    divergence: 'none: mutex = exact; atomic differs only by millisecond truncation (none with --clock-resolution 1ms)',
    options: { ...NONE_OF_THEM },
  },
  {
    name: 'reentrant',
    summary: 'half of the vCPU faults: the placement wakes the vCPU, which faults again before the resolve is accounted',
    divergence: 'mutex drops the first wait (exact > mutex); atomic overwrites the pending slot (overwritten) and moves last_begin',
    options: { ...NONE_OF_THEM, reentrant: 0.5 },
  },
  {
    name: 'late-resolve',
    summary: 're-entrant faults whose first page is accounted after the second page (the other resolve order)',
    divergence: 'mutex counts the first fault\'s whole wait up to its late resolve (mutex > exact); atomic overwrites it (overwritten)',
    options: { ...NONE_OF_THEM, reentrant: 0.3, lateResolve: 1 },
  },
  {
    name: 'received-race',
    summary: 're-entrant vCPUs fault on pages the background stream placed before the fault thread handled the fault',
    divergence: 'mutex ignores those faults (already_received); atomic injects then erases them and loses the still-blocked vCPU (erased, lost_blocked_vcpu)',
    options: { ...NONE_OF_THEM, reentrant: 0.5, received: 0.3 },
  },
  {
    name: 'non-vcpu',
    summary: 'a third of the faults come from threads that are not vCPUs, some without a thread id',
    divergence: 'mutex and exact count them apart (non_vcpu, no_tid); atomic does not track them (ignored_non_vcpu)',
    options: { ...NONE_OF_THEM, nonVcpu: 0.3, nonVcpuThreads: 3, tid0: 0.05 },
  },
  {
    name: 'kvm-async-pf',
    summary: 'KVM async page faults: vCPUs rarely block, worker threads take nine faults in ten',
    divergence: 'vCPU blocktime is small in every design; atomic ignores most faults (ignored_non_vcpu); non-vCPU latency dominates',
    options: { ...NONE_OF_THEM, thinkNs: 5_000_000, nonVcpu: 0.9, nonVcpuThreads: 8 },
  },
];

export const SCENARIO_NAMES: readonly ScenarioName[] = SCENARIOS.map((s) => s.name);

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
