#include "atomic_design.h"

#include <stdlib.h>
#include <string.h>

#define RELAXED memory_order_relaxed
#define SEQ memory_order_seq_cst

int bt_atomic_init(bt_atomic_design *d, uint32_t n, const uint32_t *tids, int64_t start_ns) {
  memset(d, 0, sizeof *d);
  d->n = n;
  d->tids = tids;
  d->start_ms = start_ns / 1000000;
  d->vcpu_addr = calloc(n, sizeof *d->vcpu_addr);
  d->fault_ms = calloc(n, sizeof *d->fault_ms);
  d->blocked_ms = calloc(n, sizeof *d->blocked_ms);
  if (!d->vcpu_addr || !d->fault_ms || !d->blocked_ms) {
    bt_atomic_free(d);
    return -1;
  }
  return 0;
}

void bt_atomic_free(bt_atomic_design *d) {
  free(d->vcpu_addr);
  free(d->fault_ms);
  free(d->blocked_ms);
  d->vcpu_addr = NULL;
  d->fault_ms = NULL;
  d->blocked_ms = NULL;
}

/* get_low_time_offset: milliseconds since start, at least 1, as uint32. */
static uint32_t low_time_offset(const bt_atomic_design *d, int64_t now_ns) {
  int64_t o = now_ns / 1000000 - d->start_ms;
  return o < 1 ? 1 : (uint32_t)o;
}

void bt_atomic_begin(bt_atomic_design *d, int64_t now_ns, uint32_t tid, uint64_t page_addr,
                     const _Atomic uint64_t *received, uint64_t page) {
  if (tid == 0) return;
  int32_t cpu = -1;
  for (uint32_t i = 0; i < d->n; i++) {
    if (d->tids[i] == tid) {
      cpu = (int32_t)i;
      break;
    }
  }
  if (cpu < 0) {
    atomic_fetch_add_explicit(&d->ignored_non_vcpu, 1, RELAXED);
    return;
  }
  uint32_t o = low_time_offset(d, now_ns);
  int was_idle = atomic_load_explicit(&d->vcpu_addr[cpu], SEQ) == 0;
  if (was_idle)
    atomic_fetch_add_explicit(&d->down, 1, SEQ);
  else
    atomic_fetch_add_explicit(&d->overwritten, 1, RELAXED);
  atomic_exchange_explicit(&d->last_begin, o, SEQ);
  atomic_exchange_explicit(&d->fault_ms[cpu], o, SEQ);
  atomic_exchange_explicit(&d->vcpu_addr[cpu], page_addr, SEQ);
  /* Checked here, after publishing the fault, because the resolve thread
   * may have set the bit in between: "inject, then erase". */
  if (bt_bit_test(received, page)) {
    atomic_exchange_explicit(&d->vcpu_addr[cpu], 0, SEQ);
    atomic_exchange_explicit(&d->fault_ms[cpu], 0, SEQ);
    atomic_fetch_sub_explicit(&d->down, 1, SEQ);
    atomic_fetch_add_explicit(&d->erased, 1, RELAXED);
    if (!was_idle) atomic_fetch_add_explicit(&d->lost_blocked_vcpu, 1, RELAXED);
  }
}

void bt_atomic_end(bt_atomic_design *d, int64_t now_ns, uint64_t page_addr) {
  uint32_t o = low_time_offset(d, now_ns);
  uint32_t affected = 0;
  int all_down = 0;
  /* The O(N) scan of the original, kept: its cost is part of what is measured. */
  for (uint32_t i = 0; i < d->n; i++) {
    uint32_t fault_ms = atomic_load_explicit(&d->fault_ms[i], SEQ);
    if (atomic_load_explicit(&d->vcpu_addr[i], SEQ) != page_addr || fault_ms == 0) continue;
    atomic_exchange_explicit(&d->vcpu_addr[i], 0, SEQ);
    affected++;
    if (!all_down && atomic_load_explicit(&d->down, SEQ) == d->n) all_down = 1;
    uint32_t b = atomic_load_explicit(&d->blocked_ms[i], RELAXED);
    atomic_store_explicit(&d->blocked_ms[i], b + (o - fault_ms), RELAXED);
  }
  atomic_fetch_sub_explicit(&d->down, affected, SEQ);
  if (all_down) {
    uint32_t total = atomic_load_explicit(&d->total_ms, RELAXED);
    atomic_store_explicit(&d->total_ms, total + (o - atomic_load_explicit(&d->last_begin, SEQ)), RELAXED);
  }
}
