-- faults: one row per `fault` event. `status` is what the `mutex` variant
-- makes of it (BLOCKTIME.md): `no_tid` (thread id 0, ignored),
-- `already_received` (its page was placed earlier in the trace, ignored) or
-- `counted`. A counted fault opens an interval for its thread, which the
-- `exact` variant closes at the first, in trace order, of the page's next
-- resolve and the thread's next `fault` row (counted or not).
CREATE OR REPLACE VIEW faults AS
WITH paged AS (
  SELECT e.seq, e.t_ns, e.kind, e.tid, e.addr - e.addr % m.page_size AS page
  FROM events AS e
  CROSS JOIN trace_meta AS m
  WHERE e.kind IN ('fault', 'resolve')
),
-- The k-th resolve of a page gets grp = k; a fault after k-1 resolves of its
-- page also gets grp = k, so it shares a group with the resolve that ends its
-- wait, and grp > 1 means the page was already placed.
grouped AS (
  SELECT
    seq, t_ns, kind, tid, page,
    count(CASE WHEN kind = 'resolve' THEN 1 END)
      OVER (PARTITION BY page ORDER BY seq ROWS UNBOUNDED PRECEDING)
      + CASE WHEN kind = 'fault' THEN 1 ELSE 0 END AS grp
  FROM paged
),
resolved AS (
  SELECT
    seq, t_ns, kind, tid, page, grp,
    max(CASE WHEN kind = 'resolve' THEN seq END) OVER (PARTITION BY page, grp) AS resolve_seq,
    max(CASE WHEN kind = 'resolve' THEN t_ns END) OVER (PARTITION BY page, grp) AS resolve_t_ns
  FROM grouped
),
fault_rows AS (
  SELECT
    seq, t_ns, tid, page, grp > 1 AS received, resolve_seq, resolve_t_ns,
    lead(seq) OVER (PARTITION BY tid ORDER BY seq) AS next_fault_seq,
    lead(t_ns) OVER (PARTITION BY tid ORDER BY seq) AS next_fault_t_ns
  FROM resolved
  WHERE kind = 'fault'
),
classified AS (
  SELECT
    f.seq, f.t_ns, f.tid, coalesce(v.cpu, -1) AS cpu, f.page,
    CASE WHEN f.tid = 0 THEN 'no_tid' WHEN f.received THEN 'already_received' ELSE 'counted' END AS status,
    f.resolve_seq, f.resolve_t_ns,
    CASE
      WHEN f.resolve_seq IS NOT NULL AND (f.next_fault_seq IS NULL OR f.resolve_seq < f.next_fault_seq) THEN 'resolve'
      WHEN f.next_fault_seq IS NOT NULL THEN 'next_fault'
    END AS closed_by,
    f.next_fault_t_ns
  FROM fault_rows AS f
  LEFT JOIN vcpus AS v ON v.tid = f.tid
),
closed AS (
  SELECT
    seq, t_ns, tid, cpu, page, status, resolve_seq, resolve_t_ns,
    CASE WHEN status = 'counted' THEN closed_by END AS closed_by,
    CASE WHEN status <> 'counted' THEN NULL
         WHEN closed_by = 'resolve' THEN resolve_t_ns
         ELSE next_fault_t_ns END AS end_t_ns
  FROM classified
)
SELECT
  seq, t_ns, tid, cpu, page, status, resolve_seq, resolve_t_ns, closed_by, end_t_ns,
  -- As in the replay, a negative duration (times going backwards) counts as 0.
  CASE WHEN end_t_ns < t_ns THEN 0 ELSE end_t_ns - t_ns END AS latency_ns
FROM closed;
