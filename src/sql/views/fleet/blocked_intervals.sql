-- blocked_intervals: for each trace and vCPU, the union of its counted
-- faults' intervals, as the single-trace view (../blocked_intervals.sql)
-- computes it, partitioned by trace and cpu.
CREATE OR REPLACE VIEW blocked_intervals AS
WITH intervals AS (
  SELECT trace, cpu, t_ns AS start_ns, end_t_ns AS end_ns
  FROM faults
  WHERE status = 'counted' AND cpu >= 0 AND end_t_ns > t_ns
),
reach AS (
  SELECT
    trace, cpu, start_ns,
    max(end_ns) OVER (PARTITION BY trace, cpu ORDER BY start_ns, end_ns ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached_ns,
    max(end_ns) OVER (PARTITION BY trace, cpu ORDER BY start_ns, end_ns ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_end_ns
  FROM intervals
),
openers AS (
  SELECT
    trace, cpu, start_ns, last_end_ns,
    lead(reached_ns) OVER (PARTITION BY trace, cpu ORDER BY start_ns) AS next_reached_ns
  FROM reach
  WHERE reached_ns IS NULL OR reached_ns < start_ns
)
SELECT trace, cpu, start_ns, coalesce(next_reached_ns, last_end_ns) AS end_ns
FROM openers;
