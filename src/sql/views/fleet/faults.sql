-- faults: one row per `fault` event of each trace, as the single-trace view
-- (../faults.sql) computes it: every window partition and join also by
-- `trace`, whose page size comes from `traces`.
CREATE OR REPLACE VIEW faults AS
WITH paged AS (
  SELECT e.trace, e.seq, e.t_ns, e.kind = 'resolve' AS is_resolve, e.tid, e.addr - e.addr % m.page_size AS page
  FROM events AS e
  JOIN traces AS m ON m.trace = e.trace
  WHERE e.kind IN ('fault', 'resolve')
),
by_page AS (
  SELECT
    trace, seq, t_ns, is_resolve, tid, page,
    count(CASE WHEN is_resolve THEN 1 END) OVER (PARTITION BY trace, page ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) > 0 AS received,
    min(CASE WHEN is_resolve THEN seq END) OVER (PARTITION BY trace, page ORDER BY seq ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS resolve_seq,
    min_by(CASE WHEN is_resolve THEN t_ns END, CASE WHEN is_resolve THEN seq END) OVER (PARTITION BY trace, page ORDER BY seq ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS resolve_t_ns
  FROM paged
),
fault_rows AS (
  SELECT
    trace, seq, t_ns, tid, page, received, resolve_seq, resolve_t_ns,
    lead(seq) OVER (PARTITION BY trace, tid ORDER BY seq) AS next_fault_seq,
    lead(t_ns) OVER (PARTITION BY trace, tid ORDER BY seq) AS next_fault_t_ns
  FROM by_page
  WHERE NOT is_resolve
),
classified AS (
  SELECT
    f.trace, f.seq, f.t_ns, f.tid, coalesce(v.cpu, -1) AS cpu, f.page,
    CASE WHEN f.tid = 0 THEN 'no_tid' WHEN f.received THEN 'already_received' ELSE 'counted' END AS status,
    f.resolve_seq, f.resolve_t_ns,
    CASE
      WHEN f.resolve_seq IS NOT NULL AND (f.next_fault_seq IS NULL OR f.resolve_seq < f.next_fault_seq) THEN 'resolve'
      WHEN f.next_fault_seq IS NOT NULL THEN 'next_fault'
    END AS closed_by,
    f.next_fault_t_ns
  FROM fault_rows AS f
  LEFT JOIN vcpus AS v ON v.trace = f.trace AND v.tid = f.tid
),
closed AS (
  SELECT
    trace, seq, t_ns, tid, cpu, page, status, resolve_seq, resolve_t_ns,
    CASE WHEN status = 'counted' THEN closed_by END AS closed_by,
    CASE WHEN status <> 'counted' THEN NULL
         WHEN closed_by = 'resolve' THEN resolve_t_ns
         ELSE next_fault_t_ns END AS end_t_ns
  FROM classified
)
SELECT
  trace, seq, t_ns, tid, cpu, page, status, resolve_seq, resolve_t_ns, closed_by, end_t_ns,
  CASE WHEN end_t_ns < t_ns THEN 0 ELSE end_t_ns - t_ns END AS latency_ns
FROM closed;
