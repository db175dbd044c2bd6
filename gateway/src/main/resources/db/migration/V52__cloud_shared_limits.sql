-- The cloud accounts' limits shared by all gateway replicas on PostgreSQL (backend.cloud.SharedCloudLimits).
-- Created on H2 too (one migration set for both stores), where they stay empty: H2 keeps limits in memory.

-- The account's query pace and each model's create pace: one Bucket4j bucket each. id is
-- "<backend>:queries:<rate>" or "<backend>:creates:<model>:<rate>", state is Bucket4j's serialized bucket,
-- expires_at (epoch ms) is when the row may be deleted because the bucket has long been full again.
CREATE TABLE cloud_rate_buckets (
    id         VARCHAR(300) PRIMARY KEY,
    state      BYTEA,
    expires_at BIGINT
);

-- One row per DashScope task slot held by any replica: holder is the job id until its task id is known, then the
-- task id. A holder holds at most one slot of its backend (account).
CREATE TABLE cloud_task_slots (
    backend     VARCHAR(64)  NOT NULL,
    holder      VARCHAR(256) NOT NULL,
    model       VARCHAR(64)  NOT NULL,
    acquired_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (backend, holder)
);

-- Counting a model's slots when acquiring one.
CREATE INDEX cloud_task_slots_model ON cloud_task_slots (backend, model);
