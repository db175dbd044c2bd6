-- Billing reconciliation (issue 12): an entry the reconciler records says why, and which provider task it is.
-- reason: NULL for a job's own settlement; orphan_task, cancelled_but_billed, failed_but_billed otherwise.
ALTER TABLE spend_entries ADD COLUMN reason VARCHAR(64);
ALTER TABLE spend_entries ADD COLUMN task_id VARCHAR(256);
