-- all_down_intervals: the times when every one of the N vCPUs is blocked at
-- once (`exact` total blocktime is the sum of their lengths). N is
-- trace_meta.vcpus, else the highest declared cpu + 1. A sweep over the
-- runs' edges counts the vCPUs down; at equal times ends go first, so
-- touching runs never make a zero-length window.
CREATE OR REPLACE VIEW all_down_intervals AS
WITH n AS (
  SELECT coalesce((SELECT max(vcpus) FROM trace_meta), (SELECT max(cpu) + 1 FROM vcpus), 0) AS vcpus
),
-- A cpu index at or beyond N (a trace declaring more vCPUs than --vcpus)
-- is not one of the N. A wait still open at the end of the trace counts in
-- no vCPU's figure, but its vCPU is down from its start on: an all-down
-- window it is part of counts once another vCPU's wait ends it (as in the
-- replay); a window still open at the end does not.
-- Each run gives two edges from one read of blocked_intervals (a view:
-- naming it twice would compute it twice).
edges AS (
  SELECT CASE WHEN s.delta = 1 THEN b.start_ns ELSE b.end_ns END AS t_ns, s.delta
  FROM blocked_intervals AS b
  CROSS JOIN (VALUES (1), (-1)) AS s(delta)
  WHERE b.cpu < (SELECT vcpus FROM n)
  UNION ALL
  SELECT t_ns, 1 AS delta FROM faults
  WHERE status = 'counted' AND cpu >= 0 AND cpu < (SELECT vcpus FROM n) AND end_t_ns IS NULL
),
levels AS (
  SELECT
    t_ns,
    sum(delta) OVER (ORDER BY t_ns, delta ROWS UNBOUNDED PRECEDING) AS down,
    lead(t_ns) OVER (ORDER BY t_ns, delta) AS next_t_ns
  FROM edges
)
SELECT l.t_ns AS start_ns, l.next_t_ns AS end_ns
FROM levels AS l
CROSS JOIN n
WHERE n.vcpus > 0 AND l.down = n.vcpus AND l.next_t_ns > l.t_ns;
