/*
 * Variant 1 of docs/blocktime.md, the locking design of QEMU 10.1: every call is
 * made inside the page-request critical section, with the time recorded in
 * the trace, so a replay of the trace reproduces this state exactly.
 */
#ifndef BT_MUTEX_DESIGN_H
#define BT_MUTEX_DESIGN_H

#include "bt.h"

typedef struct bt_pending {
  int32_t cpu; /* -1: not a vCPU */
  uint32_t next; /* index + 1 of the next (older) entry, 0 = end */
  int64_t t_fault;
} bt_pending;

typedef struct bt_mutex_design {
  uint32_t n;
  /* tid -> cpu, open addressing (QEMU 10.1 keeps a hash table too). */
  uint32_t *map_tid;
  int32_t *map_cpu;
  uint32_t map_mask;
  /* Per page: index + 1 of its newest pending entry. */
  uint32_t *pending_head;
  bt_pending *pool;
  uint32_t pool_cap, pool_free;
  uint32_t *current;
  uint64_t *faults;
  int64_t *blocked_ns;
  uint32_t down;
  int64_t last_begin, total_ns;
  uint64_t non_vcpu_faults;
  int64_t non_vcpu_ns;
  uint64_t buckets[BT_BUCKETS];
  uint64_t counted, no_tid, already_received, negative_duration, over_255;
  uint64_t unresolved; /* entries still pending */
} bt_mutex_design;

int bt_mutex_init(bt_mutex_design *d, uint32_t n, const uint32_t *tids, uint64_t npages);
void bt_mutex_free(bt_mutex_design *d);
void bt_mutex_fault(bt_mutex_design *d, int64_t t, uint32_t tid, uint64_t page, int received);
void bt_mutex_resolve(bt_mutex_design *d, int64_t t, uint64_t page);

#endif
