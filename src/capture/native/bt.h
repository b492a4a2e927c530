/*
 * Shared definitions of the native capture: a postcopy-like destination in
 * one process (userfaultfd region, vCPU threads, a fault thread, resolve
 * threads) with both QEMU blocktime designs running live on its faults.
 */
#ifndef BT_H
#define BT_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define BT_PAGE_SHIFT 12
#define BT_PAGE_SIZE (1u << BT_PAGE_SHIFT)
#define BT_BUCKETS 24

/* Trace kind codes, as src/trace/schema.ts. */
enum { BT_KIND_VCPU = 0, BT_KIND_FAULT = 1, BT_KIND_RESOLVE = 2 };

enum { BT_PATTERN_SEQ = 0, BT_PATTERN_RANDOM = 1, BT_PATTERN_HOTSET = 2 };

/* Which accounting designs run live (bit set). Off still takes the same clock
 * readings around an empty call, so the modes differ only by the work. */
enum { BT_ACCOUNT_LOCKING = 1, BT_ACCOUNT_ATOMIC = 2 };

static inline int64_t bt_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline int bt_bit_test(const _Atomic uint64_t *words, uint64_t i) {
  return (atomic_load_explicit(&words[i >> 6], memory_order_acquire) >> (i & 63)) & 1;
}

/* Returns the bit's previous value. */
static inline int bt_bit_set(_Atomic uint64_t *words, uint64_t i) {
  uint64_t m = 1ULL << (i & 63);
  return (atomic_fetch_or_explicit(&words[i >> 6], m, memory_order_acq_rel) & m) != 0;
}

/* Durations of short things (an accounting call, a lock hold) in 4 ns
 * buckets up to 8 us: a median that one preempted call cannot move. */
#define BT_HIST_BUCKETS 2048
#define BT_HIST_NS 4

typedef struct bt_hist {
  uint64_t b[BT_HIST_BUCKETS];
} bt_hist;

static inline void bt_hist_add(bt_hist *h, int64_t ns) {
  uint64_t i = ns < 0 ? 0 : (uint64_t)ns / BT_HIST_NS;
  h->b[i < BT_HIST_BUCKETS ? i : BT_HIST_BUCKETS - 1]++;
}

#endif
