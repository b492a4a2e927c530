#include "mutex_design.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_tid(uint32_t tid) { return tid * 2654435761u; }

int bt_mutex_init(bt_mutex_design *d, uint32_t n, const uint32_t *tids, uint64_t npages) {
  memset(d, 0, sizeof *d);
  d->n = n;
  uint32_t size = 16;
  while (size < 2 * n) size <<= 1;
  d->map_mask = size - 1;
  d->map_tid = calloc(size, sizeof *d->map_tid);
  d->map_cpu = calloc(size, sizeof *d->map_cpu);
  d->pending_head = calloc(npages, sizeof *d->pending_head);
  d->pool_cap = 64;
  d->pool = malloc(d->pool_cap * sizeof *d->pool);
  d->current = calloc(n, sizeof *d->current);
  d->faults = calloc(n, sizeof *d->faults);
  d->blocked_ns = calloc(n, sizeof *d->blocked_ns);
  if (!d->map_tid || !d->map_cpu || !d->pending_head || !d->pool || !d->current || !d->faults || !d->blocked_ns) {
    bt_mutex_free(d);
    return -1;
  }
  for (uint32_t c = 0; c < n; c++) {
    uint32_t h = hash_tid(tids[c]) & d->map_mask;
    while (d->map_tid[h] != 0) h = (h + 1) & d->map_mask;
    d->map_tid[h] = tids[c];
    d->map_cpu[h] = (int32_t)c;
  }
  /* Free list threads through `next`, 1-based like the page heads. */
  for (uint32_t i = 0; i < d->pool_cap; i++) d->pool[i].next = i + 2 <= d->pool_cap ? i + 2 : 0;
  d->pool_free = 1;
  return 0;
}

void bt_mutex_free(bt_mutex_design *d) {
  free(d->map_tid);
  free(d->map_cpu);
  free(d->pending_head);
  free(d->pool);
  free(d->current);
  free(d->faults);
  free(d->blocked_ns);
  memset(d, 0, sizeof *d);
}

static int32_t cpu_of(const bt_mutex_design *d, uint32_t tid) {
  uint32_t h = hash_tid(tid) & d->map_mask;
  while (d->map_tid[h] != 0) {
    if (d->map_tid[h] == tid) return d->map_cpu[h];
    h = (h + 1) & d->map_mask;
  }
  return -1;
}

static uint32_t alloc_entry(bt_mutex_design *d) {
  if (d->pool_free == 0) {
    uint32_t old = d->pool_cap;
    bt_pending *grown = realloc(d->pool, 2 * old * sizeof *d->pool);
    if (!grown) abort(); /* a handful of entries per vCPU: running out is not recoverable */
    d->pool = grown;
    d->pool_cap = 2 * old;
    for (uint32_t i = old; i < d->pool_cap; i++) d->pool[i].next = i + 2 <= d->pool_cap ? i + 2 : 0;
    d->pool_free = old + 1;
  }
  uint32_t e = d->pool_free;
  d->pool_free = d->pool[e - 1].next;
  return e;
}

void bt_mutex_fault(bt_mutex_design *d, int64_t t, uint32_t tid, uint64_t page, int received) {
  if (tid == 0) {
    d->no_tid++;
    return;
  }
  if (received) {
    d->already_received++;
    return;
  }
  d->counted++;
  int32_t cpu = cpu_of(d, tid);
  if (cpu >= 0) {
    d->faults[cpu]++;
    if (d->current[cpu] == 0) {
      d->down++;
      d->last_begin = t;
    }
    if (++d->current[cpu] > 255) d->over_255++;
  } else {
    d->non_vcpu_faults++;
  }
  d->unresolved++;
  uint32_t e = alloc_entry(d);
  d->pool[e - 1].cpu = cpu;
  d->pool[e - 1].t_fault = t;
  d->pool[e - 1].next = d->pending_head[page];
  d->pending_head[page] = e;
}

static unsigned bucket_of(int64_t d_ns) {
  uint64_t us = (uint64_t)d_ns / 1000;
  if (us == 0) return 0;
  unsigned k = 63 - (unsigned)__builtin_clzll(us);
  return k > BT_BUCKETS - 1 ? BT_BUCKETS - 1 : k;
}

void bt_mutex_resolve(bt_mutex_design *d, int64_t t, uint64_t page) {
  uint32_t e = d->pending_head[page];
  if (e == 0) return;
  uint32_t affected = 0;
  while (e != 0) {
    bt_pending *p = &d->pool[e - 1];
    int64_t dur = t - p->t_fault;
    if (dur < 0) {
      d->negative_duration++;
      dur = 0;
    }
    d->buckets[bucket_of(dur)]++;
    if (p->cpu >= 0) {
      if (--d->current[p->cpu] == 0) {
        d->blocked_ns[p->cpu] += dur;
        affected++;
      }
    } else {
      d->non_vcpu_ns += dur;
    }
    d->unresolved--;
    uint32_t next = p->next;
    p->next = d->pool_free;
    d->pool_free = e;
    e = next;
  }
  d->pending_head[page] = 0;
  if (d->down == d->n && affected > 0) d->total_ns += t - d->last_begin;
  d->down -= affected;
}
