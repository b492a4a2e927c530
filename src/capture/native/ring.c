#include "ring.h"

#include <stdlib.h>
#include <string.h>

int bt_ring_init(bt_ring *r, uint64_t capacity) {
  memset(r, 0, sizeof *r);
  r->t = malloc(capacity * sizeof *r->t);
  r->kind = malloc(capacity * sizeof *r->kind);
  r->tid = malloc(capacity * sizeof *r->tid);
  r->addr = malloc(capacity * sizeof *r->addr);
  r->cpu = malloc(capacity * sizeof *r->cpu);
  r->mask = capacity - 1;
  if (!r->t || !r->kind || !r->tid || !r->addr || !r->cpu) {
    bt_ring_free(r);
    return -1;
  }
  return 0;
}

void bt_ring_free(bt_ring *r) {
  free(r->t);
  free(r->kind);
  free(r->tid);
  free(r->addr);
  free(r->cpu);
  r->t = NULL;
  r->kind = NULL;
  r->tid = NULL;
  r->addr = NULL;
  r->cpu = NULL;
}

void bt_ring_push(bt_ring *r, int64_t t, uint8_t kind, uint32_t tid, uint64_t addr, int32_t cpu) {
  uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
  if (h - atomic_load_explicit(&r->tail, memory_order_acquire) > r->mask) {
    /* The JS side drains every few ms, so this only happens under extreme
     * event rates; waiting inside the critical section is the price of
     * losing nothing. */
    atomic_fetch_add_explicit(&r->full_waits, 1, memory_order_relaxed);
    struct timespec pause = {0, 200000};
    while (h - atomic_load_explicit(&r->tail, memory_order_acquire) > r->mask) nanosleep(&pause, NULL);
  }
  uint64_t i = h & r->mask;
  r->t[i] = t;
  r->kind[i] = kind;
  r->tid[i] = tid;
  r->addr[i] = addr;
  r->cpu[i] = cpu;
  atomic_store_explicit(&r->head, h + 1, memory_order_release);
}

/* Copies one contiguous run of the ring into the output columns. */
static void copy_run(const bt_ring *r, uint64_t from, size_t n, size_t at, int64_t *t, uint8_t *kind, uint32_t *tid,
                     uint64_t *addr, int32_t *cpu) {
  memcpy(t + at, r->t + from, n * sizeof *t);
  memcpy(kind + at, r->kind + from, n * sizeof *kind);
  memcpy(tid + at, r->tid + from, n * sizeof *tid);
  memcpy(addr + at, r->addr + from, n * sizeof *addr);
  memcpy(cpu + at, r->cpu + from, n * sizeof *cpu);
}

size_t bt_ring_drain(bt_ring *r, int64_t *t, uint8_t *kind, uint32_t *tid, uint64_t *addr, int32_t *cpu, size_t max) {
  uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
  uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
  size_t n = head - tail;
  if (n > max) n = max;
  if (n == 0) return 0;
  uint64_t from = tail & r->mask;
  size_t first = r->mask + 1 - from;
  if (first > n) first = n;
  copy_run(r, from, first, 0, t, kind, tid, addr, cpu);
  if (n > first) copy_run(r, 0, n - first, first, t, kind, tid, addr, cpu);
  atomic_store_explicit(&r->tail, tail + n, memory_order_release);
  return n;
}
