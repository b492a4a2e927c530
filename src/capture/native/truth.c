#include "truth.h"

#include <stdlib.h>
#include <string.h>

int bt_truth_vcpu_init(bt_truth_vcpu *v, uint64_t npages) {
  uint64_t words = (npages + 63) / 64;
  v->seen = calloc(words, sizeof *v->seen);
  v->faulted = calloc(words, sizeof *v->faulted);
  v->log = malloc(npages * sizeof *v->log);
  v->logged = 0;
  return v->seen && v->faulted && v->log ? 0 : -1;
}

void bt_truth_vcpu_free(bt_truth_vcpu *v) {
  free(v->seen);
  free(v->faulted);
  free(v->log);
  memset(v, 0, sizeof *v);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* An endpoint of a stall interval: +1 when a vCPU stops, -1 when it runs again. */
typedef struct edge {
  int64_t t;
  int32_t delta;
} edge;

static int cmp_edge(const void *a, const void *b) {
  const edge *x = a, *y = b;
  if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
  return (x->delta > y->delta) - (x->delta < y->delta); /* ends before starts: touching intervals do not overlap */
}

/* Smallest value with at least fraction q of the values at or below it. */
static int64_t percentile(const int64_t *sorted, uint64_t n, uint64_t percent) {
  uint64_t k = (n * percent + 99) / 100;
  return sorted[(k ? k : 1) - 1];
}

int bt_truth_compute(bt_truth *out, const bt_truth_vcpu *const *vcpus, uint32_t n) {
  memset(out, 0, sizeof *out);
  out->n = n;
  out->blocked_ns = calloc(n, sizeof *out->blocked_ns);
  out->stalls = calloc(n, sizeof *out->stalls);
  uint64_t total = 0;
  for (uint32_t c = 0; c < n; c++) total += vcpus[c]->logged;
  int64_t *durations = malloc((total ? total : 1) * sizeof *durations);
  edge *edges = malloc((total ? 2 * total : 1) * sizeof *edges);
  if (!out->blocked_ns || !out->stalls || !durations || !edges) {
    free(durations);
    free(edges);
    bt_truth_free(out);
    return -1;
  }
  uint64_t stalls = 0, nedges = 0;
  int64_t sum = 0;
  for (uint32_t c = 0; c < n; c++) {
    const bt_truth_vcpu *v = vcpus[c];
    for (uint64_t i = 0; i < v->logged; i++) {
      const bt_access *a = &v->log[i];
      if (!bt_bit_test(v->faulted, a->page)) continue;
      int64_t d = a->after - a->before;
      out->blocked_ns[c] += d;
      out->stalls[c]++;
      durations[stalls++] = d;
      sum += d;
      edges[nedges++] = (edge){a->before, 1};
      edges[nedges++] = (edge){a->after, -1};
    }
  }
  if (stalls > 0) {
    qsort(durations, stalls, sizeof *durations, cmp_i64);
    out->latency.count = stalls;
    out->latency.mean_ns = sum / (int64_t)stalls;
    out->latency.p50_ns = percentile(durations, stalls, 50);
    out->latency.p99_ns = percentile(durations, stalls, 99);
    out->latency.max_ns = durations[stalls - 1];
  }
  qsort(edges, nedges, sizeof *edges, cmp_edge);
  int32_t down = 0;
  int64_t since = 0;
  for (uint64_t i = 0; i < nedges; i++) {
    if (edges[i].delta < 0 && down == (int32_t)n) out->all_down_ns += edges[i].t - since;
    down += edges[i].delta;
    if (edges[i].delta > 0 && down == (int32_t)n) since = edges[i].t;
  }
  free(durations);
  free(edges);
  return 0;
}

void bt_truth_free(bt_truth *t) {
  free(t->blocked_ns);
  free(t->stalls);
  t->blocked_ns = NULL;
  t->stalls = NULL;
}
