/**
 * Open-addressing hash tables for the replay's hot loop: keys are 64-bit page
 * numbers given as two uint32 halves (no BigInt, no strings), slots live in
 * typed arrays, probing is linear, deletion shifts the following cluster back
 * (no tombstones, so a table never degrades after many deletions). Tables
 * double when half full; nothing is allocated per operation otherwise.
 */

/** What `get` and `take` return for a key that is not in the table. */
export const ABSENT = -2;

const MIN_CAPACITY = 16;

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

/** Page number -> int32 (the head of a pending list), with deletion. */
export class PageMap {
  private keyLo: Uint32Array;
  private keyHi: Uint32Array;
  private vals: Int32Array;
  private used: Uint8Array;
  private mask: number;
  size = 0;

  constructor(expected = 0) {
    const cap = capacityFor(expected);
    this.keyLo = new Uint32Array(cap);
    this.keyHi = new Uint32Array(cap);
    this.vals = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  get(lo: number, hi: number): number {
    const { keyLo, keyHi, used, mask } = this;
    let i = hash64(lo, hi) & mask;
    while (used[i] !== 0) {
      if (keyLo[i] === lo && keyHi[i] === hi) return this.vals[i]!;
      i = (i + 1) & mask;
    }
    return ABSENT;
  }

  set(lo: number, hi: number, value: number): void {
    const { keyLo, keyHi, used, mask } = this;
    let i = hash64(lo, hi) & mask;
    while (used[i] !== 0) {
      if (keyLo[i] === lo && keyHi[i] === hi) {
        this.vals[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
    keyLo[i] = lo;
    keyHi[i] = hi;
    this.vals[i] = value;
    used[i] = 1;
    if (++this.size * 2 > mask + 1) this.rehash((mask + 1) * 2);
  }

  /** Removes the key and returns its value, or `ABSENT`. */
  take(lo: number, hi: number): number {
    const { keyLo, keyHi, used, mask } = this;
    let i = hash64(lo, hi) & mask;
    while (used[i] !== 0) {
      if (keyLo[i] === lo && keyHi[i] === hi) {
        const v = this.vals[i]!;
        this.removeAt(i);
        return v;
      }
      i = (i + 1) & mask;
    }
    return ABSENT;
  }

  /** Backward-shift deletion: pulls later members of the cluster into the hole when their home allows it. */
  private removeAt(hole: number): void {
    const { keyLo, keyHi, vals, used, mask } = this;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      if (used[j] === 0) break;
      const home = hash64(keyLo[j]!, keyHi[j]!) & mask;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const homeInRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (homeInRange) continue;
      keyLo[hole] = keyLo[j]!;
      keyHi[hole] = keyHi[j]!;
      vals[hole] = vals[j]!;
      hole = j;
    }
    used[hole] = 0;
    this.size--;
  }

  private rehash(cap: number): void {
    const { keyLo, keyHi, vals, used } = this;
    this.keyLo = new Uint32Array(cap);
    this.keyHi = new Uint32Array(cap);
    this.vals = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < used.length; i++) if (used[i] !== 0) this.set(keyLo[i]!, keyHi[i]!, vals[i]!);
  }
}

/**
 * A set of page numbers (the received pages), stored as a map from a chunk of
 * 32 consecutive pages to a 32-bit bitmap: migrations place pages in runs, so
 * this takes about a bit per page when dense, and 24 bytes per page at worst.
 */
export class PageSet {
  private keyLo: Uint32Array;
  private keyHi: Uint32Array;
  private bits: Uint32Array;
  private used: Uint8Array;
  private mask: number;
  private chunks = 0;
  /** Distinct pages in the set. */
  size = 0;

  constructor() {
    this.keyLo = new Uint32Array(MIN_CAPACITY);
    this.keyHi = new Uint32Array(MIN_CAPACITY);
    this.bits = new Uint32Array(MIN_CAPACITY);
    this.used = new Uint8Array(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
  }

  has(lo: number, hi: number): boolean {
    const cLo = ((lo >>> 5) | (hi << 27)) >>> 0;
    const cHi = hi >>> 5;
    const { keyLo, keyHi, used, mask } = this;
    let i = hash64(cLo, cHi) & mask;
    while (used[i] !== 0) {
      if (keyLo[i] === cLo && keyHi[i] === cHi) return (this.bits[i]! & (1 << (lo & 31))) !== 0;
      i = (i + 1) & mask;
    }
    return false;
  }

  add(lo: number, hi: number): void {
    const cLo = ((lo >>> 5) | (hi << 27)) >>> 0;
    const cHi = hi >>> 5;
    const bit = 1 << (lo & 31);
    const { keyLo, keyHi, used, mask, bits } = this;
    let i = hash64(cLo, cHi) & mask;
    while (used[i] !== 0) {
      if (keyLo[i] === cLo && keyHi[i] === cHi) {
        if ((bits[i]! & bit) === 0) {
          bits[i] = bits[i]! | bit;
          this.size++;
        }
        return;
      }
      i = (i + 1) & mask;
    }
    keyLo[i] = cLo;
    keyHi[i] = cHi;
    bits[i] = bit;
    used[i] = 1;
    this.size++;
    if (++this.chunks * 2 > mask + 1) this.rehash((mask + 1) * 2);
  }

  private rehash(cap: number): void {
    const { keyLo, keyHi, bits, used } = this;
    this.keyLo = new Uint32Array(cap);
    this.keyHi = new Uint32Array(cap);
    this.bits = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < used.length; j++) {
      if (used[j] === 0) continue;
      let i = hash64(keyLo[j]!, keyHi[j]!) & this.mask;
      while (this.used[i] !== 0) i = (i + 1) & this.mask;
      this.keyLo[i] = keyLo[j]!;
      this.keyHi[i] = keyHi[j]!;
      this.bits[i] = bits[j]!;
      this.used[i] = 1;
    }
  }
}

/** uint32 -> int32 (thread id -> vCPU index, thread id -> open interval), with deletion. */
export class U32Map {
  private keys: Uint32Array;
  private vals: Int32Array;
  private used: Uint8Array;
  private mask: number;
  size = 0;

  constructor(expected = 0) {
    const cap = capacityFor(expected);
    this.keys = new Uint32Array(cap);
    this.vals = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  get(k: number): number {
    const { keys, used, mask } = this;
    let i = hash32(k) & mask;
    while (used[i] !== 0) {
      if (keys[i] === k) return this.vals[i]!;
      i = (i + 1) & mask;
    }
    return ABSENT;
  }

  set(k: number, value: number): void {
    const { keys, used, mask } = this;
    let i = hash32(k) & mask;
    while (used[i] !== 0) {
      if (keys[i] === k) {
        this.vals[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
    keys[i] = k;
    this.vals[i] = value;
    used[i] = 1;
    if (++this.size * 2 > mask + 1) this.rehash((mask + 1) * 2);
  }

  take(k: number): number {
    const { keys, vals, used, mask } = this;
    let i = hash32(k) & mask;
    while (used[i] !== 0) {
      if (keys[i] === k) {
        const v = vals[i]!;
        let hole = i;
        let j = i;
        for (;;) {
          j = (j + 1) & mask;
          if (used[j] === 0) break;
          const home = hash32(keys[j]!) & mask;
          const homeInRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
          if (homeInRange) continue;
          keys[hole] = keys[j]!;
          vals[hole] = vals[j]!;
          hole = j;
        }
        used[hole] = 0;
        this.size--;
        return v;
      }
      i = (i + 1) & mask;
    }
    return ABSENT;
  }

  private rehash(cap: number): void {
    const { keys, vals, used } = this;
    this.keys = new Uint32Array(cap);
    this.vals = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < used.length; i++) if (used[i] !== 0) this.set(keys[i]!, vals[i]!);
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
