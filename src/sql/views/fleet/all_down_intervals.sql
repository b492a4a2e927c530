-- all_down_intervals: for each trace, the times when all of its N vCPUs are
-- blocked at once, as the single-trace view (../all_down_intervals.sql)
-- computes it: N per trace (traces.vcpus, else its highest declared cpu +
-- 1), the sweep partitioned by trace. The two edges of a run come from a
-- two-row table written as a UNION (a VALUES list with column aliases is
-- spelled differently in Spark).
CREATE OR REPLACE VIEW all_down_intervals AS
WITH n AS (
  SELECT m.trace, coalesce(max(m.vcpus), max(v.cpu) + 1, 0) AS vcpus
  FROM traces AS m
  LEFT JOIN vcpus AS v ON v.trace = m.trace
  GROUP BY m.trace
),
edges AS (
  SELECT b.trace, CASE WHEN s.delta = 1 THEN b.start_ns ELSE b.end_ns END AS t_ns, s.delta
  FROM blocked_intervals AS b
  JOIN n ON n.trace = b.trace
  CROSS JOIN (SELECT 1 AS delta UNION ALL SELECT -1 AS delta) AS s
  WHERE b.cpu < n.vcpus
  UNION ALL
  SELECT f.trace, f.t_ns, 1 AS delta
  FROM faults AS f
  JOIN n ON n.trace = f.trace
  WHERE f.status = 'counted' AND f.cpu >= 0 AND f.cpu < n.vcpus AND f.end_t_ns IS NULL
),
levels AS (
  SELECT
    trace, t_ns,
    sum(delta) OVER (PARTITION BY trace ORDER BY t_ns, delta ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS down,
    lead(t_ns) OVER (PARTITION BY trace ORDER BY t_ns, delta) AS next_t_ns
  FROM edges
)
SELECT l.trace, l.t_ns AS start_ns, l.next_t_ns AS end_ns
FROM levels AS l
JOIN n ON n.trace = l.trace
WHERE n.vcpus > 0 AND l.down = n.vcpus AND l.next_t_ns > l.t_ns;
