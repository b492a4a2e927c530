/*
 * The guest's whole userland for scripts/qemu-postcopy.mjs: PID 1 of an
 * initramfs, built with `gcc -static`. It keeps every vCPU writing guest
 * memory so that a postcopy migration faults on pages all the time:
 * one thread per online CPU, each writing every page of its own slice of a
 * buffer, in a fresh random order on every pass, forever.
 *
 * The buffer's size comes from the kernel command line: the kernel hands
 * `bt_buf_mb=N` to init as an environment variable. The line
 * "blocktime-guest: ready" on the console says every page has been written
 * once (the whole buffer is then dirty, non-zero memory that precopy must
 * send); after that a line per 10 passes of thread 0 shows the guest running.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

struct worker {
  int index;
  unsigned char *base;
  size_t pages;
  uint64_t seed;
};

static pthread_barrier_t first_pass;

/* xorshift64*: cheap, and each thread has its own state. */
static uint64_t next_random(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}

static void shuffle(uint32_t *order, size_t n, uint64_t *seed) {
  for (size_t i = n - 1; i > 0; i--) {
    size_t j = next_random(seed) % (i + 1);
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

static void *run(void *arg) {
  struct worker *w = arg;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(w->index, &one);
  /* One thread per vCPU, each staying on its own vCPU. */
  sched_setaffinity(0, sizeof one, &one);
  uint32_t *order = malloc(w->pages * sizeof *order);
  if (!order) {
    printf("blocktime-guest: out of memory for the page order\n");
    exit(1);
  }
  for (size_t i = 0; i < w->pages; i++) order[i] = (uint32_t)i;
  for (uint64_t pass = 1;; pass++) {
    shuffle(order, w->pages, &w->seed);
    for (size_t i = 0; i < w->pages; i++) {
      /* A value that is never zero, so no page becomes a zero page again. */
      volatile uint64_t *word = (volatile uint64_t *)(w->base + order[i] * PAGE + (pass % (PAGE / 8)) * 8);
      *word = pass * 0x9E3779B97F4A7C15ULL | 1;
    }
    if (pass == 1) pthread_barrier_wait(&first_pass);
    if (w->index == 0 && pass % 10 == 0) printf("blocktime-guest: pass %llu\n", (unsigned long long)pass);
  }
  return NULL;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  cpu_set_t online;
  if (sched_getaffinity(0, sizeof online, &online) != 0) CPU_ZERO(&online);
  int cpus = CPU_COUNT(&online);
  if (cpus < 1) cpus = 1;
  const char *mb_text = getenv("bt_buf_mb");
  size_t mb = mb_text ? strtoul(mb_text, NULL, 10) : 64;
  size_t pages = mb * (1024 * 1024 / PAGE);
  unsigned char *buf = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (buf == MAP_FAILED) {
    printf("blocktime-guest: cannot map %zu MiB\n", mb);
    return 1;
  }
  printf("blocktime-guest: %d vCPUs writing %zu MiB\n", cpus, mb);
  pthread_barrier_init(&first_pass, NULL, (unsigned)cpus + 1);
  size_t slice = pages / (size_t)cpus;
  struct worker *workers = calloc((size_t)cpus, sizeof *workers);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  for (int i = 0; i < cpus; i++) {
    workers[i] = (struct worker){ i, buf + (size_t)i * slice * PAGE, slice, ((uint64_t)now.tv_nsec << 20) ^ (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL };
    pthread_t t;
    if (pthread_create(&t, NULL, run, &workers[i]) != 0) {
      printf("blocktime-guest: cannot start thread %d\n", i);
      return 1;
    }
  }
  pthread_barrier_wait(&first_pass);
  printf("blocktime-guest: ready\n");
  for (;;) pause();
}
