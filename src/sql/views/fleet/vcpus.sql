-- vcpus: each trace's vCPU threads, from its `vcpu` rows.
CREATE OR REPLACE VIEW vcpus AS
SELECT trace, tid, cpu
FROM events
WHERE kind = 'vcpu';
