-- 0013: leases of background jobs (src/jobs/jobs.h). A job runs only
-- while its registry holds the job's lease, so that several servers on
-- one database run each job once. A lease is claimed with one UPDATE:
-- free, expired (expires_at, milliseconds since 1970, before the claim)
-- or already the claimant's. A row is added by the first claim of a job.
-- IF NOT EXISTS: a database put back to an older schema version keeps
-- the table and runs this again.
CREATE TABLE IF NOT EXISTS job_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
