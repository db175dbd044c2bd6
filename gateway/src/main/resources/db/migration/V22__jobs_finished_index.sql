-- Retention finds finished jobs by when they finished (jobs.JobRetention).
CREATE INDEX jobs_finished ON jobs (status, completed_at);
