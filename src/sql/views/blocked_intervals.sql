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
-- Gaps and islands in one sorted pass: an interval opens a run unless an
-- earlier-starting one reaches it (`reached_ns`, the running max of the ends
-- before it). A run ends where the next run's opener says the ends before it
-- reached; the last run of a vCPU at the vCPU's last end.
reach AS (
  SELECT
    cpu, start_ns,
    max(end_ns) OVER (PARTITION BY cpu ORDER BY start_ns, end_ns ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached_ns,
    max(end_ns) OVER (PARTITION BY cpu ORDER BY start_ns, end_ns ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_end_ns
  FROM intervals
),
-- Openers have distinct starts (intervals are not empty), so the order is total.
openers AS (
  SELECT
    cpu, start_ns, last_end_ns,
    lead(reached_ns) OVER (PARTITION BY cpu ORDER BY start_ns) AS next_reached_ns
  FROM reach
  WHERE reached_ns IS NULL OR reached_ns < start_ns
)
SELECT cpu, start_ns, coalesce(next_reached_ns, last_end_ns) AS end_ns
FROM openers;
