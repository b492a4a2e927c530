/*
 * Variant 2 of docs/blocktime.md, the atomic-op design of QEMU 2.12 to 10.0, run
 * as it ran there: the fault path on the fault thread outside the
 * page-request mutex, the resolve path on the resolve thread after it has
 * released the mutex. Races between them are real and are part of what the
 * live lab measures; shared counters QEMU updated with plain `+=` are updated
 * with a relaxed load and store, which keeps the lost updates without C
 * undefined behaviour.
 */
#ifndef BT_ATOMIC_DESIGN_H
#define BT_ATOMIC_DESIGN_H

#include "bt.h"

typedef struct bt_atomic_design {
  uint32_t n;
  const uint32_t *tids; /* looked up by a linear scan, as get_mem_fault_cpu_index did */
  int64_t start_ms;
  _Atomic uint64_t *vcpu_addr;
  _Atomic uint32_t *fault_ms;
  _Atomic uint32_t *blocked_ms;
  _Atomic uint32_t down;
  _Atomic uint32_t last_begin;
  _Atomic uint32_t total_ms;
  /* Diagnostics of `compare`, counted as the design runs. */
  _Atomic uint64_t overwritten, erased, lost_blocked_vcpu, ignored_non_vcpu;
} bt_atomic_design;

int bt_atomic_init(bt_atomic_design *d, uint32_t n, const uint32_t *tids, int64_t start_ns);
void bt_atomic_free(bt_atomic_design *d);
/* mark_postcopy_blocktime_begin: `received` is the live bitmap, read without the lock. */
void bt_atomic_begin(bt_atomic_design *d, int64_t now_ns, uint32_t tid, uint64_t page_addr,
                     const _Atomic uint64_t *received, uint64_t page);
/* mark_postcopy_blocktime_end. */
void bt_atomic_end(bt_atomic_design *d, int64_t now_ns, uint64_t page_addr);

#endif
