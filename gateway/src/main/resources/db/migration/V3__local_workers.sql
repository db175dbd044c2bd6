-- Heartbeats of the instances whose local backend has loaded engines (GPU workers). Routers on every instance read
-- the fresh rows to know which local models the fleet serves and how much room it has. Portable SQL (H2, PostgreSQL).

CREATE TABLE local_workers (
    instance_id   VARCHAR(128)  NOT NULL PRIMARY KEY,  -- the dispatcher's lease owner id
    models        VARCHAR(1000) NOT NULL,              -- served catalog models, comma-separated
    ready_workers INT           NOT NULL,              -- engine workers able to take a task
    capacity      INT           NOT NULL,              -- tasks (queued plus running) the instance holds at most
    free_slots    INT           NOT NULL,              -- capacity not taken by queued or running tasks
    queued        INT           NOT NULL,              -- tasks in the instance's engine queues, not started
    running       INT           NOT NULL,              -- tasks on a device now
    wait_ms       BIGINT        NOT NULL,              -- the instance's own estimate of a new task's queue wait
    last_seen     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX local_workers_seen ON local_workers (last_seen);
