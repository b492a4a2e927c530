/*
 * The Node-API face of the native capture. JS starts a session, drains the
 * event ring into TraceBatch columns every few milliseconds (thousands of
 * rows per call), stops it, and reads the live results once at the end.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session.h"

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "native capture: Node-API call failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

typedef struct handle {
  bt_session *s;
} handle;

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  handle *h = data;
  if (h->s) bt_session_free(h->s);
  free(h);
}

static handle *get_handle(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "native capture: not a session handle");
    return NULL;
  }
  handle *h = data;
  if (!h->s) {
    napi_throw_error(env, NULL, "native capture: session already released");
    return NULL;
  }
  return h;
}

static double get_number(napi_env env, napi_value obj, const char *name) {
  napi_value v;
  double d = 0;
  if (napi_get_named_property(env, obj, name, &v) == napi_ok) napi_get_value_double(env, v, &d);
  return d;
}

static void set_number(napi_env env, napi_value obj, const char *name, double value) {
  napi_value v;
  napi_create_double(env, value, &v);
  napi_set_named_property(env, obj, name, v);
}

static void set_bigint(napi_env env, napi_value obj, const char *name, int64_t value) {
  napi_value v;
  napi_create_bigint_int64(env, value, &v);
  napi_set_named_property(env, obj, name, v);
}

/* obj[name] = the n values of a as JS numbers (exact below 2^53: counts and ns sums of a capture). */
#define DEFINE_SET_ARRAY(fn, type)                                                            \
  static void fn(napi_env env, napi_value obj, const char *name, const type *a, uint32_t n) { \
    napi_value arr, v;                                                                        \
    napi_create_array_with_length(env, n, &arr);                                              \
    for (uint32_t i = 0; i < n; i++) {                                                        \
      napi_create_double(env, (double)a[i], &v);                                              \
      napi_set_element(env, arr, i, v);                                                       \
    }                                                                                         \
    napi_set_named_property(env, obj, name, arr);                                             \
  }
DEFINE_SET_ARRAY(set_i64_array, int64_t)
DEFINE_SET_ARRAY(set_u64_array, uint64_t)

/* probe(): null when userfaultfd with thread ids works here, else the reason. */
static napi_value probe(napi_env env, napi_callback_info info) {
  (void)info;
  char why[256] = "";
  int fd = bt_uffd_open(why, sizeof why);
  napi_value out;
  if (fd >= 0) {
    close(fd);
    CHECK(napi_get_null(env, &out));
  } else {
    CHECK(napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &out));
  }
  return out;
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bt_config cfg = {
      .memory_bytes = (uint64_t)get_number(env, argv[0], "memoryBytes"),
      .vcpus = (uint32_t)get_number(env, argv[0], "vcpus"),
      .resolvers = (uint32_t)get_number(env, argv[0], "resolvers"),
      .pattern = (uint32_t)get_number(env, argv[0], "pattern"),
      .accounting = (uint32_t)get_number(env, argv[0], "accounting"),
      .latency_ns = (int64_t)get_number(env, argv[0], "latencyNs"),
      .think_ns = (int64_t)get_number(env, argv[0], "thinkNs"),
      .duration_ns = (int64_t)get_number(env, argv[0], "durationNs"),
      .bandwidth = get_number(env, argv[0], "bandwidth"),
      .seed = (uint64_t)get_number(env, argv[0], "seed"),
      .ring_log2 = (uint32_t)get_number(env, argv[0], "ringLog2"),
  };
  if (cfg.memory_bytes < BT_PAGE_SIZE || cfg.vcpus < 1 || cfg.resolvers < 1 || cfg.ring_log2 < 10 || cfg.ring_log2 > 28) {
    napi_throw_range_error(env, NULL, "native capture: invalid configuration");
    return NULL;
  }
  char why[256] = "";
  bt_session *s = bt_session_start(&cfg, why, sizeof why);
  if (!s) {
    napi_value msg, err, code;
    CHECK(napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &msg));
    CHECK(napi_create_string_utf8(env, "EUNAVAILABLE", NAPI_AUTO_LENGTH, &code));
    CHECK(napi_create_error(env, code, msg, &err));
    napi_throw(env, err);
    return NULL;
  }
  handle *h = malloc(sizeof *h);
  if (!h) {
    bt_session_free(s);
    napi_throw_error(env, NULL, "native capture: out of memory");
    return NULL;
  }
  h->s = s;
  napi_value out, ext, tids, v;
  CHECK(napi_create_external(env, h, finalize, NULL, &ext));
  CHECK(napi_create_object(env, &out));
  CHECK(napi_set_named_property(env, out, "handle", ext));
  set_bigint(env, out, "startNs", s->start_ns);
  CHECK(napi_create_array_with_length(env, cfg.vcpus, &tids));
  for (uint32_t c = 0; c < cfg.vcpus; c++) {
    CHECK(napi_create_uint32(env, s->tids[c], &v));
    CHECK(napi_set_element(env, tids, c, v));
  }
  CHECK(napi_set_named_property(env, out, "tids", tids));
  return out;
}

static void *typed_data(napi_env env, napi_value v, napi_typedarray_type want, size_t *len) {
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &data, NULL, NULL) != napi_ok || type != want) return NULL;
  return data;
}

/* drain(handle, t, kind, tid, addr, cpu, offset): rows copied into the columns from `offset`. */
static napi_value drain(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = get_handle(env, argv[0]);
  if (!h) return NULL;
  size_t lt, lk, ltid, la, lc;
  int64_t *t = typed_data(env, argv[1], napi_bigint64_array, &lt);
  uint8_t *kind = typed_data(env, argv[2], napi_uint8_array, &lk);
  uint32_t *tid = typed_data(env, argv[3], napi_uint32_array, &ltid);
  uint64_t *addr = typed_data(env, argv[4], napi_biguint64_array, &la);
  int32_t *cpu = typed_data(env, argv[5], napi_int32_array, &lc);
  double offset_d = 0;
  napi_get_value_double(env, argv[6], &offset_d);
  size_t offset = (size_t)offset_d;
  if (!t || !kind || !tid || !addr || !cpu || lk != lt || ltid != lt || la != lt || lc != lt || offset > lt) {
    napi_throw_type_error(env, NULL, "native capture: drain takes the five TraceBatch columns and an offset");
    return NULL;
  }
  size_t n = bt_ring_drain(&h->s->ring, t + offset, kind + offset, tid + offset, addr + offset, cpu + offset, lt - offset);
  napi_value out;
  CHECK(napi_create_double(env, (double)n, &out));
  return out;
}

static napi_value stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = get_handle(env, argv[0]);
  if (!h) return NULL;
  bt_session_stop(h->s);
  return NULL;
}

static napi_value done(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = get_handle(env, argv[0]);
  if (!h) return NULL;
  napi_value out;
  CHECK(napi_get_boolean(env, bt_session_done(h->s), &out));
  return out;
}

static void add_stats(bt_stats *sum, const bt_stats *x) {
  sum->acquisitions += x->acquisitions;
  sum->contended += x->contended;
  sum->wait_ns += x->wait_ns;
  sum->hold_ns += x->hold_ns;
  if (x->hold_max_ns > sum->hold_max_ns) sum->hold_max_ns = x->hold_max_ns;
  sum->locking_calls += x->locking_calls;
  sum->locking_ns += x->locking_ns;
  sum->atomic_calls += x->atomic_calls;
  sum->atomic_ns += x->atomic_ns;
  for (int i = 0; i < BT_HIST_BUCKETS; i++) {
    sum->locking_hist.b[i] += x->locking_hist.b[i];
    sum->atomic_hist.b[i] += x->atomic_hist.b[i];
    sum->hold_hist.b[i] += x->hold_hist.b[i];
  }
}

/* The bucket midpoint at which `percent` of the values are at or below. */
static double hist_percentile(const bt_hist *h, uint64_t percent) {
  uint64_t n = 0;
  for (int i = 0; i < BT_HIST_BUCKETS; i++) n += h->b[i];
  if (n == 0) return 0;
  uint64_t k = (n * percent + 99) / 100, seen = 0;
  for (int i = 0; i < BT_HIST_BUCKETS; i++) {
    seen += h->b[i];
    if (seen >= (k ? k : 1)) return i == BT_HIST_BUCKETS - 1 ? BT_HIST_BUCKETS * BT_HIST_NS : i * BT_HIST_NS + BT_HIST_NS / 2.0;
  }
  return BT_HIST_BUCKETS * BT_HIST_NS;
}

static napi_value stats_object(napi_env env, const bt_stats *st) {
  napi_value o;
  napi_create_object(env, &o);
  set_number(env, o, "acquisitions", (double)st->acquisitions);
  set_number(env, o, "contended", (double)st->contended);
  set_number(env, o, "waitNs", (double)st->wait_ns);
  set_number(env, o, "holdNs", (double)st->hold_ns);
  set_number(env, o, "holdMaxNs", (double)st->hold_max_ns);
  set_number(env, o, "lockingCalls", (double)st->locking_calls);
  set_number(env, o, "lockingNs", (double)st->locking_ns);
  set_number(env, o, "atomicCalls", (double)st->atomic_calls);
  set_number(env, o, "atomicNs", (double)st->atomic_ns);
  set_number(env, o, "lockingP50Ns", hist_percentile(&st->locking_hist, 50));
  set_number(env, o, "lockingP99Ns", hist_percentile(&st->locking_hist, 99));
  set_number(env, o, "atomicP50Ns", hist_percentile(&st->atomic_hist, 50));
  set_number(env, o, "atomicP99Ns", hist_percentile(&st->atomic_hist, 99));
  set_number(env, o, "holdP50Ns", hist_percentile(&st->hold_hist, 50));
  set_number(env, o, "holdP99Ns", hist_percentile(&st->hold_hist, 99));
  return o;
}

static napi_value mutex_object(napi_env env, const bt_mutex_design *d) {
  napi_value o;
  napi_create_object(env, &o);
  set_i64_array(env, o, "vcpuBlockedNs", d->blocked_ns, d->n);
  set_u64_array(env, o, "vcpuFaults", d->faults, d->n);
  set_number(env, o, "totalNs", (double)d->total_ns);
  set_number(env, o, "nonVcpuFaults", (double)d->non_vcpu_faults);
  set_number(env, o, "nonVcpuNs", (double)d->non_vcpu_ns);
  set_u64_array(env, o, "buckets", d->buckets, BT_BUCKETS);
  set_number(env, o, "counted", (double)d->counted);
  set_number(env, o, "noTid", (double)d->no_tid);
  set_number(env, o, "alreadyReceived", (double)d->already_received);
  set_number(env, o, "unresolved", (double)d->unresolved);
  set_number(env, o, "negativeDuration", (double)d->negative_duration);
  set_number(env, o, "over255", (double)d->over_255);
  return o;
}

static napi_value atomic_object(napi_env env, bt_atomic_design *d) {
  napi_value o, arr, v;
  napi_create_object(env, &o);
  napi_create_array_with_length(env, d->n, &arr);
  for (uint32_t i = 0; i < d->n; i++) {
    napi_create_double(env, (double)atomic_load(&d->blocked_ms[i]), &v);
    napi_set_element(env, arr, i, v);
  }
  napi_set_named_property(env, o, "vcpuBlockedMs", arr);
  set_number(env, o, "totalMs", (double)atomic_load(&d->total_ms));
  set_number(env, o, "overwritten", (double)atomic_load(&d->overwritten));
  set_number(env, o, "erased", (double)atomic_load(&d->erased));
  set_number(env, o, "lostBlockedVcpu", (double)atomic_load(&d->lost_blocked_vcpu));
  set_number(env, o, "ignoredNonVcpu", (double)atomic_load(&d->ignored_non_vcpu));
  return o;
}

static napi_value truth_object(napi_env env, const bt_truth *t) {
  napi_value o, lat;
  napi_create_object(env, &o);
  set_i64_array(env, o, "vcpuBlockedNs", t->blocked_ns, t->n);
  set_u64_array(env, o, "vcpuStalls", t->stalls, t->n);
  set_number(env, o, "allDownNs", (double)t->all_down_ns);
  napi_create_object(env, &lat);
  set_number(env, lat, "count", (double)t->latency.count);
  set_number(env, lat, "meanNs", (double)t->latency.mean_ns);
  set_number(env, lat, "p50Ns", (double)t->latency.p50_ns);
  set_number(env, lat, "p99Ns", (double)t->latency.p99_ns);
  set_number(env, lat, "maxNs", (double)t->latency.max_ns);
  napi_set_named_property(env, o, "latency", lat);
  return o;
}

/* result(handle): the live figures, once the session is done. */
static napi_value result(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = get_handle(env, argv[0]);
  if (!h) return NULL;
  bt_session *s = h->s;
  if (!bt_session_done(s)) {
    napi_throw_error(env, NULL, "native capture: result() before the session is done");
    return NULL;
  }
  napi_value o, v;
  CHECK(napi_create_object(env, &o));
  set_bigint(env, o, "startNs", s->start_ns);
  set_bigint(env, o, "endNs", s->end_ns);
  if (s->error[0]) {
    napi_create_string_utf8(env, s->error, NAPI_AUTO_LENGTH, &v);
  } else {
    napi_get_null(env, &v);
  }
  napi_set_named_property(env, o, "error", v);
  set_number(env, o, "faultRows", (double)s->fault_rows);
  set_number(env, o, "resolveRows", (double)s->resolve_rows);
  set_number(env, o, "ringFullWaits", (double)atomic_load(&s->ring.full_waits));
  uint64_t requested = 0, streamed = 0;
  bt_stats *resolve = calloc(1, sizeof *resolve);
  if (!resolve) {
    napi_throw_error(env, NULL, "native capture: out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < s->cfg.resolvers; i++) {
    requested += s->resolvers[i].requested_placed;
    streamed += s->resolvers[i].streamed_placed;
    add_stats(resolve, &s->resolvers[i].stats);
  }
  set_number(env, o, "placedRequested", (double)requested);
  set_number(env, o, "placedStreamed", (double)streamed);
  napi_value tids;
  napi_create_array_with_length(env, s->cfg.vcpus, &tids);
  for (uint32_t c = 0; c < s->cfg.vcpus; c++) {
    napi_create_uint32(env, s->tids[c], &v);
    napi_set_element(env, tids, c, v);
  }
  napi_set_named_property(env, o, "tids", tids);
  napi_set_named_property(env, o, "mutex", mutex_object(env, &s->md));
  napi_set_named_property(env, o, "atomic", atomic_object(env, &s->ad));
  napi_set_named_property(env, o, "truth", truth_object(env, &s->truth));
  napi_set_named_property(env, o, "faultPath", stats_object(env, &s->fault_stats));
  napi_set_named_property(env, o, "resolvePath", stats_object(env, resolve));
  free(resolve);
  return o;
}

/* release(handle): stops if needed, waits, frees; the handle is dead afterwards. */
static napi_value release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = get_handle(env, argv[0]);
  if (!h) return NULL;
  bt_session_free(h->s);
  h->s = NULL;
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
      {"probe", NULL, probe, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"drain", NULL, drain, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, stop, NULL, NULL, NULL, napi_default, NULL},
      {"done", NULL, done, NULL, NULL, NULL, napi_default, NULL},
      {"result", NULL, result, NULL, NULL, NULL, napi_default, NULL},
      {"release", NULL, release, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
