-- blocked_intervals: for each vCPU, the union of its counted faults'
-- intervals (`exact`), as disjoint [start_ns, end_ns) runs in time order.
-- Intervals still open at the end of the trace are left out, as are empty
-- ones (end <= start, from timestamps that go backwards).
CREATE OR REPLACE VIEW blocked_intervals AS
WITH intervals AS (
  SELECT cpu, t_ns AS start_ns, end_t_ns AS end_ns
  FROM faults
  WHERE status = 'counted' AND cpu >= 0 AND end_t_ns > t_ns
),
-- An interval starts a new run unless an earlier-starting one reaches it.
marked AS (
  SELECT
    cpu, start_ns, end_ns,
    CASE WHEN start_ns <= max(end_ns) OVER (
           PARTITION BY cpu ORDER BY start_ns, end_ns
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
         THEN 0 ELSE 1 END AS opens_run
  FROM intervals
),
runs AS (
  SELECT
    cpu, start_ns, end_ns,
    sum(opens_run) OVER (PARTITION BY cpu ORDER BY start_ns, end_ns ROWS UNBOUNDED PRECEDING) AS run
  FROM marked
)
SELECT cpu, min(start_ns) AS start_ns, max(end_ns) AS end_ns
FROM runs
GROUP BY cpu, run;
