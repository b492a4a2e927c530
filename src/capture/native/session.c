#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif

#define NEEDS "root, vm.unprivileged_userfaultfd=1, or access to /dev/userfaultfd"

static uint32_t gettid_u32(void) { return (uint32_t)syscall(SYS_gettid); }

/* ---- userfaultfd ---- */

static int uffd_create(char *why, size_t why_len) {
  int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 && errno == EPERM)
    /* Unprivileged users may still handle faults from user mode, which is all ours are. */
    fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
  if (fd >= 0) return fd;
  int err = errno;
  if (err == ENOSYS) {
    snprintf(why, why_len, "userfaultfd is not available: the kernel was built without it (CONFIG_USERFAULTFD)");
    return -1;
  }
  int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
  if (dev >= 0) {
    fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
    close(dev);
    if (fd >= 0) return fd;
  }
  snprintf(why, why_len, "userfaultfd is not permitted (%s): native capture needs %s", strerror(err), NEEDS);
  return -1;
}

int bt_uffd_open(char *why, size_t why_len) {
  int fd = uffd_create(why, why_len);
  if (fd < 0) return -1;
  struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_THREAD_ID};
  if (ioctl(fd, UFFDIO_API, &api) < 0 || !(api.features & UFFD_FEATURE_THREAD_ID)) {
    snprintf(why, why_len, "userfaultfd lacks UFFD_FEATURE_THREAD_ID (%s): native capture needs Linux >= 4.14",
             strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/* ---- the page-request mutex, measured ---- */

/* Takes the mutex and returns the time it was acquired: the event's time. */
static int64_t lock_measured(pthread_mutex_t *mu, bt_stats *st) {
  int64_t w = bt_now();
  if (pthread_mutex_trylock(mu) != 0) {
    st->contended++;
    pthread_mutex_lock(mu);
  }
  int64_t t = bt_now();
  st->acquisitions++;
  st->wait_ns += t - w;
  return t;
}

static void unlock_measured(pthread_mutex_t *mu, bt_stats *st, int64_t acquired) {
  int64_t hold = bt_now() - acquired;
  pthread_mutex_unlock(mu);
  st->hold_ns += hold;
  if (hold > st->hold_max_ns) st->hold_max_ns = hold;
  bt_hist_add(&st->hold_hist, hold);
}

/* ---- vCPU threads ---- */

static uint64_t xorshift(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* The simulator's patterns: one shared ascending cursor, uniform, or 80% in a hot 1/16 of memory. */
static uint64_t next_page(bt_vcpu *v) {
  bt_session *s = v->s;
  uint64_t n = s->npages;
  switch (s->cfg.pattern) {
    case BT_PATTERN_SEQ:
      return atomic_fetch_add_explicit(&s->seq_cursor, 1, memory_order_relaxed) % n;
    case BT_PATTERN_HOTSET: {
      uint64_t hot = n / 16 ? n / 16 : 1;
      uint64_t r = xorshift(&v->rng);
      return r % 5 < 4 ? (r >> 8) % hot : (r >> 8) % n;
    }
    default:
      return xorshift(&v->rng) % n;
  }
}

static void sleep_ns(int64_t ns) {
  struct timespec ts = {ns / 1000000000, ns % 1000000000};
  nanosleep(&ts, NULL);
}

static void *vcpu_main(void *arg) {
  bt_vcpu *v = arg;
  bt_session *s = v->s;
  prctl(PR_SET_TIMERSLACK, 1UL);
  v->tid = gettid_u32();
  pthread_mutex_lock(&s->c_mu);
  s->ready_count++;
  pthread_cond_broadcast(&s->start_cond);
  while (!s->go) pthread_cond_wait(&s->start_cond, &s->c_mu);
  pthread_mutex_unlock(&s->c_mu);
  bt_truth_vcpu *tr = &v->truth;
  while (!atomic_load_explicit(&s->vcpu_stop, memory_order_relaxed)) {
    uint64_t p = next_page(v);
    volatile const char *a = s->region + (p << BT_PAGE_SHIFT);
    uint64_t bit = 1ULL << (p & 63);
    if (!(tr->seen[p >> 6] & bit)) {
      /* The first touch of a page by this thread is the only one that can fault: time it. */
      int64_t before = bt_now();
      (void)*a;
      int64_t after = bt_now();
      tr->seen[p >> 6] |= bit;
      tr->log[tr->logged++] = (bt_access){(uint32_t)p, before, after};
    } else {
      (void)*a;
    }
    if (s->cfg.think_ns > 0) sleep_ns(s->cfg.think_ns);
  }
  return NULL;
}

/* ---- fault thread ---- */

static void enqueue_request(bt_session *s, uint64_t page, int64_t ready) {
  pthread_mutex_lock(&s->q_mu);
  s->q_page[s->q_tail % s->npages] = (uint32_t)page;
  s->q_ready[s->q_tail % s->npages] = ready;
  s->q_tail++;
  pthread_cond_signal(&s->q_cond);
  pthread_mutex_unlock(&s->q_mu);
}

static void handle_fault(bt_session *s, const struct uffd_msg *msg) {
  uint64_t addr = msg->arg.pagefault.address;
  uint32_t tid = msg->arg.pagefault.feat.ptid;
  uint64_t page = (addr - s->base) >> BT_PAGE_SHIFT;
  if (addr < s->base || page >= s->npages) return; /* not ours: only the region is registered */
  uint64_t page_addr = s->base + (page << BT_PAGE_SHIFT);
  bt_stats *st = &s->fault_stats;

  /* Ground truth: this thread's access to this page was a stall. */
  for (uint32_t c = 0; c < s->cfg.vcpus; c++)
    if (s->tids[c] == tid) bt_bit_set(s->vcpus[c].truth.faulted, page);

  /* QEMU <= 10.0: mark_postcopy_blocktime_begin, on the fault thread, before and without the lock. */
  int64_t a0 = bt_now();
  if (s->cfg.accounting & BT_ACCOUNT_ATOMIC) bt_atomic_begin(&s->ad, a0, tid, page_addr, s->received, page);
  int64_t a1 = bt_now();
  st->atomic_calls++;
  st->atomic_ns += a1 - a0;
  bt_hist_add(&st->atomic_hist, a1 - a0);

  int64_t t = lock_measured(&s->mu, st);
  bt_ring_push(&s->ring, t, BT_KIND_FAULT, tid, addr, -1);
  s->fault_rows++;
  int received = bt_bit_test(s->received, page);
  /* QEMU >= 10.1: the accounting shares the critical section that checks the bitmap. */
  int64_t l0 = bt_now();
  if (s->cfg.accounting & BT_ACCOUNT_LOCKING) bt_mutex_fault(&s->md, t, tid, page, received);
  int64_t l1 = bt_now();
  st->locking_calls++;
  st->locking_ns += l1 - l0;
  bt_hist_add(&st->locking_hist, l1 - l0);
  int request = !received && !s->requested[page];
  if (request) s->requested[page] = 1;
  unlock_measured(&s->mu, st, t);
  /* The request leaves after the unlock, as QEMU sends it to the source. */
  if (request) enqueue_request(s, page, t + s->cfg.latency_ns);
}

/* Reads and handles what the uffd holds; returns how many messages. */
static ssize_t read_faults(bt_session *s) {
  struct uffd_msg msgs[64];
  ssize_t n = read(s->uffd, msgs, sizeof msgs);
  if (n <= 0) return 0;
  ssize_t count = n / (ssize_t)sizeof msgs[0];
  for (ssize_t i = 0; i < count; i++)
    if (msgs[i].event == UFFD_EVENT_PAGEFAULT) handle_fault(s, &msgs[i]);
  return count;
}

static void *fault_main(void *arg) {
  bt_session *s = arg;
  struct pollfd fds[2] = {{.fd = s->uffd, .events = POLLIN}, {.fd = s->stop_fd, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & POLLIN) read_faults(s);
    if (fds[1].revents & POLLIN) {
      /* Every vCPU has been joined: what is left are faults on pages already placed. */
      while (read_faults(s) > 0) {
      }
      break;
    }
  }
  return NULL;
}

/* ---- resolve threads ---- */

static void place_page(bt_resolver *r, uint64_t page) {
  bt_session *s = r->s;
  uint64_t page_addr = s->base + (page << BT_PAGE_SHIFT);
  struct uffdio_copy copy = {.dst = page_addr, .src = (uint64_t)(uintptr_t)s->source_page, .len = BT_PAGE_SIZE, .mode = 0};
  int failure = 0;
  while (ioctl(s->uffd, UFFDIO_COPY, &copy) < 0) {
    if (errno == EAGAIN) {
      copy.copy = 0;
      continue;
    }
    if (errno != EEXIST) failure = errno;
    break;
  }
  /* As QEMU: the placement has already woken the vCPU when the resolve is accounted. */
  bt_stats *st = &r->stats;
  int64_t t = lock_measured(&s->mu, st);
  if (failure && s->error[0] == 0) snprintf(s->error, sizeof s->error, "UFFDIO_COPY failed: %s", strerror(failure));
  bt_bit_set(s->received, page);
  bt_ring_push(&s->ring, t, BT_KIND_RESOLVE, r->tid, page_addr, -1);
  s->resolve_rows++;
  int64_t l0 = bt_now();
  if (s->cfg.accounting & BT_ACCOUNT_LOCKING) bt_mutex_resolve(&s->md, t, page);
  int64_t l1 = bt_now();
  st->locking_calls++;
  st->locking_ns += l1 - l0;
  bt_hist_add(&st->locking_hist, l1 - l0);
  unlock_measured(&s->mu, st, t);
  /* QEMU <= 10.0: mark_postcopy_blocktime_end, after the lock is released. */
  int64_t a0 = bt_now();
  if (s->cfg.accounting & BT_ACCOUNT_ATOMIC) bt_atomic_end(&s->ad, a0, page_addr);
  int64_t a1 = bt_now();
  st->atomic_calls++;
  st->atomic_ns += a1 - a0;
  bt_hist_add(&st->atomic_hist, a1 - a0);
}

static struct timespec to_timespec(int64_t ns) { return (struct timespec){ns / 1000000000, ns % 1000000000}; }

static void *resolver_main(void *arg) {
  bt_resolver *r = arg;
  bt_session *s = r->s;
  prctl(PR_SET_TIMERSLACK, 1UL);
  r->tid = gettid_u32();
  pthread_mutex_lock(&s->q_mu);
  while (!s->resolvers_stop) {
    int64_t now = bt_now();
    int has_request = s->q_head != s->q_tail;
    if (has_request && s->q_ready[s->q_head % s->npages] <= now) {
      uint64_t page = s->q_page[s->q_head % s->npages];
      s->q_head++;
      if (bt_bit_set(s->claimed, page)) continue; /* the stream got there first */
      pthread_mutex_unlock(&s->q_mu);
      place_page(r, page);
      r->requested_placed++;
      pthread_mutex_lock(&s->q_mu);
      continue;
    }
    int streaming = s->stream_interval_ns > 0 && s->stream_cursor < s->npages;
    if (streaming && s->stream_next <= now) {
      s->stream_next += s->stream_interval_ns;
      if (s->stream_next < now - 1000000) s->stream_next = now; /* no burst after a stall */
      while (s->stream_cursor < s->npages) {
        uint64_t page = s->stream_cursor++;
        if (bt_bit_set(s->claimed, page)) continue;
        pthread_mutex_unlock(&s->q_mu);
        place_page(r, page);
        r->streamed_placed++;
        pthread_mutex_lock(&s->q_mu);
        break;
      }
      continue;
    }
    int64_t wake = INT64_MAX;
    if (has_request) wake = s->q_ready[s->q_head % s->npages];
    if (streaming && s->stream_next < wake) wake = s->stream_next;
    if (wake == INT64_MAX) {
      pthread_cond_wait(&s->q_cond, &s->q_mu);
    } else {
      struct timespec ts = to_timespec(wake);
      pthread_cond_timedwait(&s->q_cond, &s->q_mu, &ts);
    }
  }
  pthread_mutex_unlock(&s->q_mu);
  return NULL;
}

/* ---- control: duration, stop, orderly shutdown ---- */

/* Wakes the fault thread through its eventfd and joins it. */
static void join_fault_thread(bt_session *s) {
  uint64_t one = 1;
  if (write(s->stop_fd, &one, sizeof one) != sizeof one) abort();
  pthread_join(s->fault_thread, NULL);
}

/* Tells the resolve threads to leave and joins the first `n`. */
static void join_resolvers(bt_session *s, uint32_t n) {
  pthread_mutex_lock(&s->q_mu);
  s->resolvers_stop = 1;
  pthread_cond_broadcast(&s->q_cond);
  pthread_mutex_unlock(&s->q_mu);
  for (uint32_t i = 0; i < n; i++) pthread_join(s->resolvers[i].thread, NULL);
}

static void shutdown_threads(bt_session *s) {
  /* vCPUs first: a vCPU blocked in the kernel still gets its page, because the
   * fault thread and the resolvers keep running until every vCPU has left. */
  atomic_store(&s->vcpu_stop, 1);
  struct uffdio_range range = {.start = s->base, .len = s->npages << BT_PAGE_SHIFT};
  int unregistered = 0;
  for (uint32_t c = 0; c < s->cfg.vcpus; c++) {
    if (!unregistered) {
      struct timespec limit;
      clock_gettime(CLOCK_REALTIME, &limit);
      limit.tv_sec += 5;
      if (pthread_timedjoin_np(s->vcpus[c].thread, NULL, &limit) == 0) continue;
      /* A page that will never come (a failed UFFDIO_COPY): unregistering wakes
       * every thread still waiting, and its access then completes on its own. */
      ioctl(s->uffd, UFFDIO_UNREGISTER, &range);
      unregistered = 1;
      pthread_mutex_lock(&s->mu);
      if (s->error[0] == 0) snprintf(s->error, sizeof s->error, "a vCPU thread was still blocked 5 s after the stop");
      pthread_mutex_unlock(&s->mu);
    }
    pthread_join(s->vcpus[c].thread, NULL);
  }
  join_fault_thread(s);
  join_resolvers(s, s->cfg.resolvers);
  s->end_ns = bt_now();
  if (!unregistered) ioctl(s->uffd, UFFDIO_UNREGISTER, &range);
  close(s->uffd);
  s->uffd = -1;
  munmap(s->region, s->npages << BT_PAGE_SHIFT);
  s->region = NULL;
  const bt_truth_vcpu **logs = malloc(s->cfg.vcpus * sizeof *logs);
  if (logs)
    for (uint32_t c = 0; c < s->cfg.vcpus; c++) logs[c] = &s->vcpus[c].truth;
  if ((!logs || bt_truth_compute(&s->truth, logs, s->cfg.vcpus) != 0) && s->error[0] == 0)
    snprintf(s->error, sizeof s->error, "out of memory computing the ground truth");
  free(logs);
}

static void *control_main(void *arg) {
  bt_session *s = arg;
  pthread_mutex_lock(&s->c_mu);
  int64_t deadline = s->cfg.duration_ns > 0 ? s->start_ns + s->cfg.duration_ns : 0;
  while (!s->stop_requested) {
    if (deadline) {
      struct timespec ts = to_timespec(deadline);
      if (pthread_cond_timedwait(&s->c_cond, &s->c_mu, &ts) == ETIMEDOUT) break;
    } else {
      pthread_cond_wait(&s->c_cond, &s->c_mu);
    }
  }
  pthread_mutex_unlock(&s->c_mu);
  shutdown_threads(s);
  atomic_store(&s->done, 1);
  return NULL;
}

/* ---- start, stop, free ---- */

static void init_cond_monotonic(pthread_cond_t *c) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(c, &attr);
  pthread_condattr_destroy(&attr);
}

static void free_memory(bt_session *s) {
  if (s->region) munmap(s->region, s->npages << BT_PAGE_SHIFT);
  if (s->uffd >= 0) close(s->uffd);
  if (s->stop_fd >= 0) close(s->stop_fd);
  free(s->source_page);
  free(s->received);
  free(s->requested);
  free(s->claimed);
  free(s->q_page);
  free(s->q_ready);
  free(s->tids);
  if (s->vcpus)
    for (uint32_t c = 0; c < s->cfg.vcpus; c++) bt_truth_vcpu_free(&s->vcpus[c].truth);
  free(s->vcpus);
  free(s->resolvers);
  bt_ring_free(&s->ring);
  bt_mutex_free(&s->md);
  bt_atomic_free(&s->ad);
  bt_truth_free(&s->truth);
  free(s);
}

static int alloc_memory(bt_session *s) {
  uint64_t words = (s->npages + 63) / 64;
  uint32_t n = s->cfg.vcpus;
  s->source_page = aligned_alloc(BT_PAGE_SIZE, BT_PAGE_SIZE);
  s->received = calloc(words, sizeof *s->received);
  s->claimed = calloc(words, sizeof *s->claimed);
  s->requested = calloc(s->npages, 1);
  s->q_page = malloc(s->npages * sizeof *s->q_page);
  s->q_ready = malloc(s->npages * sizeof *s->q_ready);
  s->tids = calloc(n, sizeof *s->tids);
  s->vcpus = calloc(n, sizeof *s->vcpus);
  s->resolvers = calloc(s->cfg.resolvers, sizeof *s->resolvers);
  if (!s->source_page || !s->received || !s->claimed || !s->requested || !s->q_page || !s->q_ready || !s->tids ||
      !s->vcpus || !s->resolvers)
    return -1;
  memset(s->source_page, 0xA5, BT_PAGE_SIZE);
  for (uint32_t c = 0; c < n; c++)
    if (bt_truth_vcpu_init(&s->vcpus[c].truth, s->npages) != 0) return -1;
  return bt_ring_init(&s->ring, 1ULL << s->cfg.ring_log2);
}

static int map_region(bt_session *s, char *why, size_t why_len) {
  size_t len = s->npages << BT_PAGE_SHIFT;
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    snprintf(why, why_len, "cannot map %llu bytes: %s", (unsigned long long)len, strerror(errno));
    return -1;
  }
  s->region = p;
  s->base = (uint64_t)(uintptr_t)p;
  struct uffdio_register reg = {.range = {.start = s->base, .len = len}, .mode = UFFDIO_REGISTER_MODE_MISSING};
  if (ioctl(s->uffd, UFFDIO_REGISTER, &reg) < 0 || !(reg.ioctls & (1ULL << _UFFDIO_COPY))) {
    snprintf(why, why_len, "cannot register the region with userfaultfd: %s", strerror(errno));
    return -1;
  }
  return 0;
}

static void release_vcpus(bt_session *s) {
  pthread_mutex_lock(&s->c_mu);
  s->go = 1;
  pthread_cond_broadcast(&s->start_cond);
  pthread_mutex_unlock(&s->c_mu);
}

static void destroy_sync(bt_session *s) {
  pthread_mutex_destroy(&s->mu);
  pthread_mutex_destroy(&s->q_mu);
  pthread_mutex_destroy(&s->c_mu);
  pthread_cond_destroy(&s->q_cond);
  pthread_cond_destroy(&s->c_cond);
  pthread_cond_destroy(&s->start_cond);
}

/* A start that failed half-way: the vCPUs leave before touching memory, the rest is joined. */
static void abort_start(bt_session *s, uint32_t vcpus, int fault_thread, uint32_t resolvers) {
  atomic_store(&s->vcpu_stop, 1);
  release_vcpus(s);
  for (uint32_t c = 0; c < vcpus; c++) pthread_join(s->vcpus[c].thread, NULL);
  if (fault_thread) join_fault_thread(s);
  join_resolvers(s, resolvers);
  destroy_sync(s);
  free_memory(s);
}

bt_session *bt_session_start(const bt_config *cfg, char *why, size_t why_len) {
  bt_session *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(why, why_len, "out of memory");
    return NULL;
  }
  s->cfg = *cfg;
  s->npages = cfg->memory_bytes >> BT_PAGE_SHIFT;
  s->uffd = -1;
  s->stop_fd = -1;
  if (alloc_memory(s) != 0) {
    snprintf(why, why_len, "out of memory for %llu pages", (unsigned long long)s->npages);
    free_memory(s);
    return NULL;
  }
  s->uffd = bt_uffd_open(why, why_len);
  s->stop_fd = eventfd(0, EFD_CLOEXEC);
  if (s->uffd < 0 || s->stop_fd < 0 || map_region(s, why, why_len) != 0) {
    if (s->uffd >= 0 && s->stop_fd < 0) snprintf(why, why_len, "eventfd: %s", strerror(errno));
    free_memory(s);
    return NULL;
  }
  pthread_mutex_init(&s->mu, NULL);
  pthread_mutex_init(&s->q_mu, NULL);
  pthread_mutex_init(&s->c_mu, NULL);
  init_cond_monotonic(&s->q_cond);
  init_cond_monotonic(&s->c_cond);
  pthread_cond_init(&s->start_cond, NULL);
  uint32_t n = cfg->vcpus;
  if (cfg->bandwidth > 0) {
    double interval = 1e9 * BT_PAGE_SIZE / cfg->bandwidth;
    s->stream_interval_ns = interval < 1 ? 1 : (int64_t)interval;
  }

  /* Our threads take no signals: SIGINT and SIGTERM belong to Node's thread. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  uint32_t vcpus = 0, resolvers = 0;
  int fault_thread = 0;
  const char *failed = NULL;
  for (; vcpus < n; vcpus++) {
    bt_vcpu *v = &s->vcpus[vcpus];
    v->s = s;
    v->cpu = vcpus;
    v->rng = (cfg->seed + 1) * 0x9E3779B97F4A7C15ULL + vcpus * 0xBF58476D1CE4E5B9ULL + 1;
    if (pthread_create(&v->thread, NULL, vcpu_main, v) != 0) {
      failed = "cannot create a vCPU thread";
      break;
    }
  }
  pthread_mutex_lock(&s->c_mu);
  while (s->ready_count < vcpus) pthread_cond_wait(&s->start_cond, &s->c_mu);
  pthread_mutex_unlock(&s->c_mu);
  if (!failed) {
    for (uint32_t c = 0; c < n; c++) s->tids[c] = s->vcpus[c].tid;
    /* Accounting starts here, as QEMU creates its blocktime context when postcopy listens. */
    s->start_ns = bt_now();
    s->stream_next = s->start_ns;
    for (uint32_t c = 0; c < n; c++) bt_ring_push(&s->ring, s->start_ns, BT_KIND_VCPU, s->tids[c], 0, (int32_t)c);
    if (bt_mutex_init(&s->md, n, s->tids, s->npages) != 0 || bt_atomic_init(&s->ad, n, s->tids, s->start_ns) != 0)
      failed = "out of memory for the accounting state";
  }
  if (!failed) {
    if (pthread_create(&s->fault_thread, NULL, fault_main, s) == 0)
      fault_thread = 1;
    else
      failed = "cannot create the fault thread";
  }
  for (; !failed && resolvers < cfg->resolvers; resolvers++) {
    s->resolvers[resolvers].s = s;
    if (pthread_create(&s->resolvers[resolvers].thread, NULL, resolver_main, &s->resolvers[resolvers]) != 0) {
      failed = "cannot create a resolve thread";
      break;
    }
  }
  if (!failed && pthread_create(&s->control_thread, NULL, control_main, s) != 0) failed = "cannot create the control thread";
  if (failed) {
    snprintf(why, why_len, "%s", failed);
    abort_start(s, vcpus, fault_thread, resolvers);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return NULL;
  }
  release_vcpus(s);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return s;
}

void bt_session_stop(bt_session *s) {
  pthread_mutex_lock(&s->c_mu);
  s->stop_requested = 1;
  pthread_cond_signal(&s->c_cond);
  pthread_mutex_unlock(&s->c_mu);
}

int bt_session_done(bt_session *s) { return atomic_load(&s->done); }

void bt_session_free(bt_session *s) {
  bt_session_stop(s);
  /* Only a ring left full by a consumer that stopped draining could block the
   * shutdown; draining here makes that impossible. */
  while (!atomic_load(&s->done)) {
    atomic_store(&s->ring.tail, atomic_load(&s->ring.head));
    sleep_ns(1000000);
  }
  pthread_join(s->control_thread, NULL);
  destroy_sync(s);
  free_memory(s);
}
