/*
 * Ground truth: each vCPU thread times its own first access to every page
 * (clock before and after). An access that the kernel turned into a
 * userfaultfd message (the fault thread marks it) was a stall, and its
 * before..after interval is the time the thread really stood still.
 */
#ifndef BT_TRUTH_H
#define BT_TRUTH_H

#include "bt.h"

typedef struct bt_access {
  uint32_t page;
  int64_t before, after;
} bt_access;

typedef struct bt_truth_vcpu {
  uint64_t *seen;              /* pages this thread has touched */
  _Atomic uint64_t *faulted;   /* pages on which the fault thread saw this thread fault */
  bt_access *log;              /* first touches in time order: at most one per page */
  uint64_t logged;
} bt_truth_vcpu;

typedef struct bt_latency {
  uint64_t count;
  int64_t mean_ns, p50_ns, p99_ns, max_ns;
} bt_latency;

typedef struct bt_truth {
  uint32_t n;
  int64_t *blocked_ns; /* per vCPU */
  uint64_t *stalls;    /* per vCPU */
  int64_t all_down_ns;
  bt_latency latency;  /* stall durations of every vCPU: the fault round trip */
} bt_truth;

int bt_truth_vcpu_init(bt_truth_vcpu *v, uint64_t npages);
void bt_truth_vcpu_free(bt_truth_vcpu *v);
/* After every thread has been joined. */
int bt_truth_compute(bt_truth *out, const bt_truth_vcpu *const *vcpus, uint32_t n);
void bt_truth_free(bt_truth *t);

#endif
