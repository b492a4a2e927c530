/*
 * Reference replay of the `mutex` blocktime design (docs/blocktime.md, Variant 1),
 * written the way QEMU 10.1 writes its accounting: a GLib hash table from
 * page address to a GSList of heap-allocated (cpu, fault time) entries,
 * newest first, a hash table from thread id to vCPU index, and a received
 * bitmap. `npm run bench` feeds it the same trace as the TypeScript replay,
 * checks that both give the same figures, and compares their speed.
 *
 * Input: the flat dump written by scripts/bench.mjs (all little-endian):
 *   char magic[8] = "BTDUMP1\0"; u32 vcpus; u32 page_size; u64 rows;
 *   u32 vcpu_rows; u32 reserved;
 *   rows x { i64 t_ns; u64 addr; u32 tid; u32 kind; }   kind 1 fault, 2 resolve
 *   vcpu_rows x { u32 tid; i32 cpu; }   (last: the writer streams the rows first)
 * Output: one JSON object on stdout; the replay loop alone is timed.
 *
 * Build: cc -O2 qemu-ref.c $(pkg-config --cflags --libs glib-2.0)
 */
#include <glib.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BUCKETS 24

typedef struct {
    int64_t t;
    uint64_t addr;
    uint32_t tid;
    uint32_t kind;
} Row;

typedef struct {
    int cpu;          /* -1: not a vCPU */
    int64_t fault_ns;
} FaultEntry;

typedef struct {
    uint32_t nvcpus;
    GHashTable *tid_to_cpu;   /* tid -> cpu + 1 */
    GHashTable *pending;      /* page -> GSList of FaultEntry*, newest first */
    /* The received bitmap, as QEMU keeps one per RAM block; a hash set when the pages span too much to map. */
    unsigned long *received_bits;
    uint64_t page_lo;
    GHashTable *received_set;
    uint32_t *current;
    uint64_t *faults;
    uint64_t *blocked_ns;
    uint32_t down;
    int64_t last_begin;
    uint64_t total_ns;
    uint64_t non_vcpu_faults;
    uint64_t non_vcpu_ns;
    uint64_t buckets[BUCKETS];
    uint64_t negative;
} Blocktime;

#define BITS_PER_LONG (8 * sizeof(unsigned long))

static gboolean page_received(Blocktime *bt, uint64_t page, uint32_t shift)
{
    if (bt->received_bits) {
        uint64_t i = (page - bt->page_lo) >> shift;
        return (bt->received_bits[i / BITS_PER_LONG] >> (i % BITS_PER_LONG)) & 1;
    }
    return g_hash_table_contains(bt->received_set, GSIZE_TO_POINTER(page));
}

static void mark_received(Blocktime *bt, uint64_t page, uint32_t shift)
{
    if (bt->received_bits) {
        uint64_t i = (page - bt->page_lo) >> shift;
        bt->received_bits[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
    } else {
        g_hash_table_add(bt->received_set, GSIZE_TO_POINTER(page));
    }
}

static int latency_bucket(uint64_t ns)
{
    uint64_t us = ns / 1000;
    int b = us == 0 ? 0 : 63 - __builtin_clzll(us);
    return b < BUCKETS ? b : BUCKETS - 1;
}

static void on_fault(Blocktime *bt, int64_t t, uint32_t tid, uint64_t page, uint32_t shift)
{
    if (tid == 0 || page_received(bt, page, shift)) {
        return;
    }
    gpointer v = g_hash_table_lookup(bt->tid_to_cpu, GUINT_TO_POINTER(tid));
    int cpu = v ? GPOINTER_TO_INT(v) - 1 : -1;
    if (cpu >= 0) {
        bt->faults[cpu]++;
        if (bt->current[cpu]++ == 0) {
            bt->down++;
            bt->last_begin = t;
        }
    } else {
        bt->non_vcpu_faults++;
    }
    FaultEntry *e = g_new(FaultEntry, 1);
    e->cpu = cpu;
    e->fault_ns = t;
    GSList *list = g_hash_table_lookup(bt->pending, GSIZE_TO_POINTER(page));
    g_hash_table_insert(bt->pending, GSIZE_TO_POINTER(page), g_slist_prepend(list, e));
}

static void on_resolve(Blocktime *bt, int64_t t, uint64_t page, uint32_t shift)
{
    mark_received(bt, page, shift);
    gpointer value;
    if (!g_hash_table_steal_extended(bt->pending, GSIZE_TO_POINTER(page), NULL, &value)) {
        return;
    }
    GSList *list = value;
    uint32_t affected = 0;
    for (GSList *l = list; l; l = l->next) {
        FaultEntry *e = l->data;
        int64_t d = t - e->fault_ns;
        if (d < 0) {
            bt->negative++;
            d = 0;
        }
        bt->buckets[latency_bucket((uint64_t)d)]++;
        if (e->cpu >= 0) {
            if (--bt->current[e->cpu] == 0) {
                bt->blocked_ns[e->cpu] += (uint64_t)d;
                affected++;
            }
        } else {
            bt->non_vcpu_ns += (uint64_t)d;
        }
    }
    g_slist_free_full(list, g_free);
    if (bt->down == bt->nvcpus && affected > 0) {
        int64_t d = t - bt->last_begin;
        bt->total_ns += d > 0 ? (uint64_t)d : 0;
    }
    bt->down -= affected;
}

static void print_u64_array(const char *name, const uint64_t *a, size_t n, gboolean last)
{
    printf("\"%s\":[", name);
    for (size_t i = 0; i < n; i++) {
        printf("%s%" PRIu64, i ? "," : "", a[i]);
    }
    printf("]%s", last ? "" : ",");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DUMP\n", argv[0]);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < 32) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 2;
    }
    const uint8_t *base = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (base == MAP_FAILED || memcmp(base, "BTDUMP1", 8) != 0) {
        fprintf(stderr, "%s: not a BTDUMP1 file\n", argv[1]);
        return 2;
    }
    uint32_t nvcpus, page_size, vcpu_rows;
    uint64_t nrows;
    memcpy(&nvcpus, base + 8, 4);
    memcpy(&page_size, base + 12, 4);
    memcpy(&nrows, base + 16, 8);
    memcpy(&vcpu_rows, base + 24, 4);
    const Row *rows = (const Row *)(base + 32);
    const int32_t *vcpu = (const int32_t *)(base + 32 + sizeof(Row) * nrows);
    if ((size_t)st.st_size < 32 + sizeof(Row) * nrows + 8 * (size_t)vcpu_rows) {
        fprintf(stderr, "%s: truncated\n", argv[1]);
        return 2;
    }
    uint32_t shift = __builtin_ctz(page_size);
    uint64_t mask = ~(uint64_t)(page_size - 1);

    Blocktime bt = {0};
    bt.nvcpus = nvcpus;
    bt.tid_to_cpu = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (uint32_t i = 0; i < vcpu_rows; i++) {
        g_hash_table_insert(bt.tid_to_cpu, GUINT_TO_POINTER((uint32_t)vcpu[2 * i]), GINT_TO_POINTER(vcpu[2 * i + 1] + 1));
    }
    bt.pending = g_hash_table_new(g_direct_hash, g_direct_equal);
    bt.current = g_new0(uint32_t, nvcpus);
    bt.faults = g_new0(uint64_t, nvcpus);
    bt.blocked_ns = g_new0(uint64_t, nvcpus);

    /* Size the bitmap from the pages the trace touches, as QEMU sizes it from the RAM block (not timed). */
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint64_t i = 0; i < nrows; i++) {
        uint64_t p = rows[i].addr & mask;
        if (p < lo) lo = p;
        if (p > hi) hi = p;
    }
    if (nrows > 0 && ((hi - lo) >> shift) < (1ULL << 33)) {
        uint64_t bits = ((hi - lo) >> shift) + 1;
        bt.page_lo = lo;
        bt.received_bits = g_new0(unsigned long, (bits + BITS_PER_LONG - 1) / BITS_PER_LONG);
    } else {
        bt.received_set = g_hash_table_new(g_direct_hash, g_direct_equal);
    }

    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    for (uint64_t i = 0; i < nrows; i++) {
        const Row *r = &rows[i];
        uint64_t page = r->addr & mask;
        if (r->kind == 1) {
            on_fault(&bt, r->t, r->tid, page, shift);
        } else if (r->kind == 2) {
            on_resolve(&bt, r->t, page, shift);
        }
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double replay_s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    double replay_cpu_s = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;

    uint64_t unresolved = 0;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, bt.pending);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        unresolved += g_slist_length(value);
    }
    uint64_t events = nrows + vcpu_rows;
    printf("{\"events\":%" PRIu64 ",\"replay_s\":%.6f,\"replay_cpu_s\":%.6f,\"replay_events_per_s\":%.0f,", events, replay_s, replay_cpu_s,
           events / replay_s);
    printf("\"total_blocktime_ns\":%" PRIu64 ",", bt.total_ns);
    print_u64_array("vcpu_blocktime_ns", bt.blocked_ns, nvcpus, FALSE);
    print_u64_array("vcpu_faults", bt.faults, nvcpus, FALSE);
    printf("\"non_vcpu_faults\":%" PRIu64 ",\"non_vcpu_blocktime_ns\":%" PRIu64 ",", bt.non_vcpu_faults, bt.non_vcpu_ns);
    printf("\"unresolved\":%" PRIu64 ",\"negative_duration\":%" PRIu64 ",", unresolved, bt.negative);
    print_u64_array("latency_buckets", bt.buckets, BUCKETS, TRUE);
    printf("}\n");
    return 0;
}
