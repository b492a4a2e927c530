/**
 * Open-addressing hash tables for the replay's hot loop: keys are 64-bit page
 * numbers given as two uint32 halves (no BigInt, no strings), slots live in
 * typed arrays, probing is linear, deletion shifts the following cluster back
 * (no tombstones, so a table never degrades after many deletions). Tables
 * double when half full; nothing is allocated per operation otherwise.
 */

import { Kind } from '../trace/schema.js';

/** What `get` and `take` return for a key that is not in the table. Stored values must be >= -1. */
export const ABSENT = -2;

const MIN_CAPACITY = 16;

/** Rows per block of the replay loops: each block's received-set words are loaded (`PageSet.warm`) before its rows are replayed. */
export const WARM_ROWS = 512;

/** Mixes both halves so that sequential page numbers spread over the table. */
function hash64(lo: number, hi: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hash32(k: number): number {
  let h = Math.imul(k, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

function capacityFor(n: number): number {
  let c = MIN_CAPACITY;
  while (c < n * 2) c *= 2;
  return c;
}

/*
 * Layout: one Uint32Array, a slot's words side by side so that a probe touches
 * one cache line (the received set outgrows the caches on big VMs). A value v
 * is stored as v + 2, so a stored 0 marks an empty slot.
 */

/** Page number -> int32 >= -1 (the head of a pending list), with deletion. Slot: [lo, hi, value + 2, unused]. */
export class PageMap {
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(expected = 0) {
    const cap = capacityFor(expected);
    this.slots = new Uint32Array(cap * 4);
    this.mask = cap - 1;
  }

  get(lo: number, hi: number): number {
    const { slots, mask } = this;
    let i = hash64(lo, hi) & mask;
    for (;;) {
      const s = i << 2;
      const v = slots[s + 2]!;
      if (v === 0) return ABSENT;
      if (slots[s] === lo && slots[s + 1] === hi) return v - 2;
      i = (i + 1) & mask;
    }
  }

  set(lo: number, hi: number, value: number): void {
    this.put(lo, hi, value);
  }

  /** Sets the key's value and returns the one it replaces, or `ABSENT`: one probe where get-then-set takes two. */
  put(lo: number, hi: number, value: number): number {
    const { slots, mask } = this;
    let i = hash64(lo, hi) & mask;
    for (;;) {
      const s = i << 2;
      const old = slots[s + 2]!;
      if (old === 0) {
        slots[s] = lo;
        slots[s + 1] = hi;
        slots[s + 2] = value + 2;
        if (++this.size * 2 > mask + 1) this.rehash((mask + 1) * 2);
        return ABSENT;
      }
      if (slots[s] === lo && slots[s + 1] === hi) {
        slots[s + 2] = value + 2;
        return old - 2;
      }
      i = (i + 1) & mask;
    }
  }

  /** Removes the key and returns its value, or `ABSENT`. */
  take(lo: number, hi: number): number {
    const { slots, mask } = this;
    let i = hash64(lo, hi) & mask;
    for (;;) {
      const s = i << 2;
      const v = slots[s + 2]!;
      if (v === 0) return ABSENT;
      if (slots[s] === lo && slots[s + 1] === hi) {
        this.removeAt(i);
        return v - 2;
      }
      i = (i + 1) & mask;
    }
  }

  /** Backward-shift deletion: pulls later members of the cluster into the hole when their home allows it. */
  private removeAt(hole: number): void {
    const { slots, mask } = this;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const sj = j << 2;
      if (slots[sj + 2] === 0) break;
      const home = hash64(slots[sj]!, slots[sj + 1]!) & mask;
      // j stays unless its home lies cyclically outside (hole, j].
      const homeInRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (homeInRange) continue;
      const sh = hole << 2;
      slots[sh] = slots[sj]!;
      slots[sh + 1] = slots[sj + 1]!;
      slots[sh + 2] = slots[sj + 2]!;
      hole = j;
    }
    slots[(hole << 2) + 2] = 0;
    this.size--;
  }

  private rehash(cap: number): void {
    const old = this.slots;
    this.slots = new Uint32Array(cap * 4);
    this.mask = cap - 1;
    this.size = 0;
    for (let s = 0; s < old.length; s += 4) if (old[s + 2] !== 0) this.set(old[s]!, old[s + 1]!, old[s + 2]! - 2);
  }
}

/** Pages per chunk of the received set: 2^26 pages (256 GiB of 4 KiB pages), an 8 MiB bitmap. */
const CHUNK_SHIFT = 26;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
const CHUNK_WORDS = 1 << (CHUNK_SHIFT - 5);
/**
 * Chunks given a whole bitmap, at most. The OS commits a bitmap's memory only
 * where it is written (a page of bitmap per 128 MiB of guest memory placed),
 * so a chunk costs what it holds; the cap only bounds address space when a
 * trace's pages are scattered over the whole 64-bit space.
 */
const MAX_DENSE_CHUNKS = 64;

/**
 * The received pages: a bitmap per chunk of 2^26 consecutive pages, one bit a
 * page. Guest memory is a few large contiguous mappings, so a VM's pages fall
 * in one or a few chunks, and a lookup is a compare with the last chunk used
 * and one bitmap word: on a big VM with random faults that word is the
 * replay's one cache miss per fault, which `warm` lets the CPU overlap. Pages
 * in chunks past the cap go to per-region bitmaps behind a hash table.
 * Pages are never removed.
 */
export class PageSet {
  /** Chunk number -> index in `dense`, or -1 for a chunk kept in `sparse`. */
  private readonly chunks = new PageMap();
  private readonly dense: Uint32Array[] = [];
  private readonly sparse = new RegionSet();
  private lastLo = -1;
  private lastHi = -1;
  private lastBits: Uint32Array | null = null;
  /** Distinct pages in the set. */
  size = 0;
  private sink = 0;

  has(lo: number, hi: number): boolean {
    const bits = this.bitsOf(lo, hi, false);
    if (bits === null) return this.sparse.has(lo, hi);
    return ((bits[(lo & CHUNK_MASK) >>> 5]! >>> (lo & 31)) & 1) !== 0;
  }

  /** Adds the page; true when it was not in the set. */
  add(lo: number, hi: number): boolean {
    const bits = this.bitsOf(lo, hi, true);
    if (bits === null) {
      const added = this.sparse.add(lo, hi);
      if (added) this.size++;
      return added;
    }
    const w = (lo & CHUNK_MASK) >>> 5;
    const bit = 1 << (lo & 31);
    const word = bits[w]!;
    if ((word & bit) !== 0) return false;
    bits[w] = word | bit;
    this.size++;
    return true;
  }

  /**
   * Loads the bitmap words of the pages that the fault rows in [from, to)
   * will look up. These loads do not depend on each other, so the CPU
   * overlaps their cache misses, where the replay loop that follows would wait
   * for each in turn; it then finds them in cache. What they read is kept
   * in `sink`, so that the compiler cannot drop the loads.
   */
  warm(kind: Uint8Array, words: Uint32Array, shift: number, from: number, to: number): void {
    let sink = this.sink;
    for (let i = from; i < to; i++) {
      if (kind[i] !== Kind.fault) continue;
      const hi = words[2 * i + 1]!;
      const lo = pageLo(words[2 * i]!, hi, shift);
      const bits = this.bitsOf(lo, pageHi(hi, shift), false);
      if (bits !== null) sink ^= bits[(lo & CHUNK_MASK) >>> 5]!;
    }
    this.sink = sink;
  }

  /** The bitmap of the chunk holding the page, or null: a chunk kept sparse, or (unless `create`) no chunk yet. */
  private bitsOf(lo: number, hi: number, create: boolean): Uint32Array | null {
    const cLo = ((lo >>> CHUNK_SHIFT) | (hi << (32 - CHUNK_SHIFT))) >>> 0;
    const cHi = hi >>> CHUNK_SHIFT;
    if (cLo === this.lastLo && cHi === this.lastHi) return this.lastBits;
    let k = this.chunks.get(cLo, cHi);
    if (k === ABSENT) {
      if (!create) return null;
      k = this.dense.length < MAX_DENSE_CHUNKS ? this.dense.push(new Uint32Array(CHUNK_WORDS)) - 1 : -1;
      this.chunks.set(cLo, cHi, k);
    }
    const bits = k >= 0 ? this.dense[k]! : null;
    this.lastLo = cLo;
    this.lastHi = cHi;
    this.lastBits = bits;
    return bits;
  }
}

/** Pages per region of the sparse part of the received set: a region's bitmap is 512 bytes, its slot in the region table 16. */
const REGION_SHIFT = 12;
const REGION_WORDS = (1 << REGION_SHIFT) >>> 5;

/**
 * Page numbers as a bitmap per region of 4096 consecutive pages, found
 * through a hash table of regions: for pages scattered over more chunks than
 * `PageSet` gives whole bitmaps to. A region holding a single page costs 512
 * bytes.
 */
class RegionSet {
  private readonly regions = new PageMap();
  private bits = new Uint32Array(16 * REGION_WORDS);
  private leaves = 0;

  has(lo: number, hi: number): boolean {
    const leaf = this.regions.get(((lo >>> REGION_SHIFT) | (hi << (32 - REGION_SHIFT))) >>> 0, hi >>> REGION_SHIFT);
    if (leaf < 0) return false;
    return ((this.bits[leaf * REGION_WORDS + ((lo >>> 5) & (REGION_WORDS - 1))]! >>> (lo & 31)) & 1) !== 0;
  }

  /** Adds the page; true when it was not in the set. */
  add(lo: number, hi: number): boolean {
    const rLo = ((lo >>> REGION_SHIFT) | (hi << (32 - REGION_SHIFT))) >>> 0;
    const rHi = hi >>> REGION_SHIFT;
    let leaf = this.regions.get(rLo, rHi);
    if (leaf < 0) {
      leaf = this.leaves++;
      if (this.leaves * REGION_WORDS > this.bits.length) {
        const grown = new Uint32Array(this.bits.length * 2);
        grown.set(this.bits);
        this.bits = grown;
      }
      this.regions.set(rLo, rHi, leaf);
    }
    const w = leaf * REGION_WORDS + ((lo >>> 5) & (REGION_WORDS - 1));
    const bit = 1 << (lo & 31);
    const word = this.bits[w]!;
    if ((word & bit) !== 0) return false;
    this.bits[w] = word | bit;
    return true;
  }
}

/** uint32 -> int32 >= -1 (thread id -> vCPU index, thread id -> open interval), with deletion. Slot: [key, value + 2]. */
export class U32Map {
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(expected = 0) {
    const cap = capacityFor(expected);
    this.slots = new Uint32Array(cap * 2);
    this.mask = cap - 1;
  }

  get(k: number): number {
    const { slots, mask } = this;
    let i = hash32(k) & mask;
    for (;;) {
      const v = slots[2 * i + 1]!;
      if (v === 0) return ABSENT;
      if (slots[2 * i] === k) return v - 2;
      i = (i + 1) & mask;
    }
  }

  set(k: number, value: number): void {
    const { slots, mask } = this;
    let i = hash32(k) & mask;
    for (;;) {
      if (slots[2 * i + 1] === 0) {
        slots[2 * i] = k;
        slots[2 * i + 1] = value + 2;
        if (++this.size * 2 > mask + 1) this.rehash((mask + 1) * 2);
        return;
      }
      if (slots[2 * i] === k) {
        slots[2 * i + 1] = value + 2;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  take(k: number): number {
    const { slots, mask } = this;
    let i = hash32(k) & mask;
    for (;;) {
      const v = slots[2 * i + 1]!;
      if (v === 0) return ABSENT;
      if (slots[2 * i] === k) break;
      i = (i + 1) & mask;
    }
    const value = slots[2 * i + 1]! - 2;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (slots[2 * j + 1] === 0) break;
      const home = hash32(slots[2 * j]!) & mask;
      const homeInRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (homeInRange) continue;
      slots[2 * hole] = slots[2 * j]!;
      slots[2 * hole + 1] = slots[2 * j + 1]!;
      hole = j;
    }
    slots[2 * hole + 1] = 0;
    this.size--;
    return value;
  }

  private rehash(cap: number): void {
    const old = this.slots;
    this.slots = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.size = 0;
    for (let s = 0; s < old.length; s += 2) if (old[s + 1] !== 0) this.set(old[s]!, old[s + 1]! - 2);
  }
}

/** The page number of an address given as two halves, for a page size of 2^shift bytes: the high half. */
export function pageHi(hi: number, shift: number): number {
  return shift < 32 ? hi >>> shift : 0;
}

/** ... and the low half. */
export function pageLo(lo: number, hi: number, shift: number): number {
  if (shift === 0) return lo;
  return shift < 32 ? ((lo >>> shift) | (hi << (32 - shift))) >>> 0 : hi >>> (shift - 32);
}

/** The page key (address rounded down to the page) of a page number, as hex: for reports, never per event. */
export function pageHex(pLo: number, pHi: number, shift: number): string {
  return `0x${(((BigInt(pHi) << 32n) | BigInt(pLo)) << BigInt(shift)).toString(16)}`;
}
