/**
 * The trace metadata as the key/value strings every format stores it in:
 * Arrow's schema metadata, CSV's `# blocktime.<key>=<value>` comments, the
 * NDJSON metadata line (docs/trace-format.md#trace-metadata). One writer and
 * one checking reader, so that a value refused in one format is refused in
 * all of them.
 */
import { InputError, type InputLocation } from '../errors.js';
import { DEFAULT_PAGE_SIZE, MAX_VCPUS, META, isPowerOfTwo } from './schema.js';
import type { TraceMeta } from './schema.js';

export function metaToEntries(meta: TraceMeta): Map<string, string> {
  const m = new Map<string, string>();
  m.set(META.pageSize, String(meta.pageSize));
  if (meta.vcpus !== undefined) m.set(META.vcpus, String(meta.vcpus));
  if (meta.startNs !== undefined) m.set(META.startNs, meta.startNs.toString());
  if (meta.source !== undefined) m.set(META.source, JSON.stringify(meta.source));
  return m;
}

/** Where the entries were found, for messages: what to call them, and the place of each key. */
export interface MetaPlace {
  /** "schema metadata", "metadata comment", ... */
  label: string;
  at(key: string): InputLocation;
}

/** Reads the entries, checking each value; absent keys take the defaults, other keys are ignored. */
export function metaFromEntries(m: ReadonlyMap<string, string>, place: MetaPlace): TraceMeta {
  const meta: TraceMeta = { pageSize: DEFAULT_PAGE_SIZE };
  const bad = (key: string, expected: string): InputError => {
    const value = m.get(key)!;
    const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
    return new InputError(place.at(key), `${place.label} ${key} is ${shown}, expected ${expected}`);
  };
  const pageSize = m.get(META.pageSize);
  if (pageSize !== undefined) {
    meta.pageSize = /^[0-9]{1,16}$/.test(pageSize) ? Number(pageSize) : NaN;
    if (!isPowerOfTwo(meta.pageSize)) throw bad(META.pageSize, 'a power of two');
  }
  const vcpus = m.get(META.vcpus);
  if (vcpus !== undefined) {
    meta.vcpus = /^[0-9]{1,16}$/.test(vcpus) ? Number(vcpus) : NaN;
    if (!(meta.vcpus >= 1 && meta.vcpus <= MAX_VCPUS)) throw bad(META.vcpus, `a vCPU count from 1 to ${MAX_VCPUS}`);
  }
  const startNs = m.get(META.startNs);
  if (startNs !== undefined) {
    if (!/^-?[0-9]{1,19}$/.test(startNs) || BigInt.asIntN(64, BigInt(startNs)) !== BigInt(startNs)) {
      throw bad(META.startNs, 'a signed 64-bit integer of nanoseconds');
    }
    meta.startNs = BigInt(startNs);
  }
  const source = m.get(META.source);
  if (source !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad(META.source, 'a JSON object');
    meta.source = parsed as Record<string, unknown>;
  }
  return meta;
}
