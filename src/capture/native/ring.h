/*
 * The event ring: every fault and resolve row is pushed inside the
 * page-request critical section, so ring order is mutex order. One producer
 * at a time (the mutex holder), one consumer (the JS thread draining in bulk).
 */
#ifndef BT_RING_H
#define BT_RING_H

#include "bt.h"
#include <stddef.h>

typedef struct bt_ring {
  int64_t *t;
  uint8_t *kind;
  uint32_t *tid;
  uint64_t *addr;
  int32_t *cpu;
  uint64_t mask;
  _Atomic uint64_t head; /* next slot to write */
  _Atomic uint64_t tail; /* next slot to read */
  _Atomic uint64_t full_waits;
} bt_ring;

int bt_ring_init(bt_ring *r, uint64_t capacity_pow2);
void bt_ring_free(bt_ring *r);
/* Waits while the ring is full: an event is never dropped. */
void bt_ring_push(bt_ring *r, int64_t t, uint8_t kind, uint32_t tid, uint64_t addr, int32_t cpu);
size_t bt_ring_drain(bt_ring *r, int64_t *t, uint8_t *kind, uint32_t *tid, uint64_t *addr, int32_t *cpu, size_t max);

#endif
