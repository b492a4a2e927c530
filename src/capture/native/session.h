/*
 * A capture session: the userfaultfd region and every thread around it.
 * Started by bt_session_start, stopped by the duration or bt_session_stop;
 * a control thread then shuts it down in an order that never leaves a vCPU
 * blocked in the kernel (vCPUs first, while pages are still being placed).
 */
#ifndef BT_SESSION_H
#define BT_SESSION_H

#include "atomic_design.h"
#include "mutex_design.h"
#include "ring.h"
#include "truth.h"

#include <pthread.h>

typedef struct bt_config {
  uint64_t memory_bytes;
  uint32_t vcpus, resolvers, pattern, accounting;
  int64_t latency_ns;  /* request to placement of a requested page */
  int64_t think_ns;    /* a vCPU's pause between two accesses */
  int64_t duration_ns; /* 0: until stopped */
  double bandwidth;    /* bytes/s of unrequested background pages, 0: none */
  uint64_t seed;
  uint32_t ring_log2;
} bt_config;

/* What one thread measured about its own critical sections and accounting calls. */
typedef struct bt_stats {
  uint64_t acquisitions, contended;
  int64_t wait_ns, hold_ns, hold_max_ns;
  uint64_t locking_calls, atomic_calls;
  int64_t locking_ns, atomic_ns;
  bt_hist locking_hist, atomic_hist, hold_hist;
} bt_stats;

typedef struct bt_session bt_session;

typedef struct bt_vcpu {
  bt_session *s;
  uint32_t cpu, tid;
  uint64_t rng;
  pthread_t thread;
  bt_truth_vcpu truth;
} bt_vcpu;

typedef struct bt_resolver {
  bt_session *s;
  uint32_t tid;
  pthread_t thread;
  bt_stats stats;
  uint64_t requested_placed, streamed_placed;
} bt_resolver;

struct bt_session {
  bt_config cfg;
  int uffd, stop_fd;
  char *region;
  uint64_t base, npages;
  char *source_page;
  int64_t start_ns, end_ns;

  /* The page-request mutex and what it guards. */
  pthread_mutex_t mu;
  _Atomic uint64_t *received; /* written under mu; the atomic design reads it without */
  uint8_t *requested;
  uint64_t fault_rows, resolve_rows;
  bt_ring ring;
  bt_mutex_design md;
  bt_atomic_design ad;

  /* Requests from the fault thread to the resolvers, and the background stream. */
  pthread_mutex_t q_mu;
  pthread_cond_t q_cond;
  uint32_t *q_page;
  int64_t *q_ready;
  uint64_t q_head, q_tail;
  _Atomic uint64_t *claimed; /* a page is placed by whoever claims it first */
  uint64_t stream_cursor;
  int64_t stream_next, stream_interval_ns;
  int resolvers_stop;

  uint32_t *tids;
  bt_vcpu *vcpus;
  bt_resolver *resolvers;
  pthread_t fault_thread, control_thread;
  bt_stats fault_stats;
  _Atomic int vcpu_stop;
  _Atomic uint64_t seq_cursor;

  /* Start (vCPU threads ready, then released together) and stop. */
  pthread_mutex_t c_mu;
  pthread_cond_t c_cond, start_cond;
  uint32_t ready_count;
  int go;
  int stop_requested;
  _Atomic int done;
  int control_joined;
  bt_truth truth;
  char error[256];
};

/* Opens a userfaultfd with UFFD_FEATURE_THREAD_ID; -1 and a one-line reason when it cannot. */
int bt_uffd_open(char *why, size_t why_len);
bt_session *bt_session_start(const bt_config *cfg, char *why, size_t why_len);
void bt_session_stop(bt_session *s);
int bt_session_done(bt_session *s);
/* Stops if needed, waits for the shutdown, frees everything. */
void bt_session_free(bt_session *s);

#endif
