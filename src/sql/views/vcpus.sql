-- vcpus: the trace's vCPU threads, from its `vcpu` rows.
CREATE OR REPLACE VIEW vcpus AS
SELECT tid, cpu
FROM events
WHERE kind = 'vcpu';
