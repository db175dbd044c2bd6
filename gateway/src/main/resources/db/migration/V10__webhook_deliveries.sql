-- Signed webhook deliveries: one row per job event that has somewhere to go. Portable SQL (H2 and PostgreSQL).
-- event_id is the primary key, so however many gateway instances scan job_events, an event is queued once.

CREATE TABLE webhook_deliveries (
    event_id         BIGINT        NOT NULL PRIMARY KEY,  -- job_events.id; also the Webhook-Id (msg_<id>)
    job_id           VARCHAR(64)   NOT NULL,
    tenant           VARCHAR(64)   NOT NULL,
    event_type       VARCHAR(64)   NOT NULL,
    url              VARCHAR(2048) NOT NULL,
    body             TEXT          NOT NULL,              -- exactly the bytes that are signed and sent
    status           VARCHAR(16)   NOT NULL,              -- pending, delivered, failed (gave up)
    attempts         INT           NOT NULL,
    next_attempt_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_owner      VARCHAR(128),
    lease_expires_at TIMESTAMP WITH TIME ZONE,
    last_status      INT,
    last_error       VARCHAR(500),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    delivered_at     TIMESTAMP WITH TIME ZONE
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id, event_id);

-- How far the scanner has read job_events; it re-reads a short lag behind so that an event committed late
-- (a lower id committed after a higher one) is not skipped.
CREATE TABLE webhook_cursor (
    name          VARCHAR(32) NOT NULL PRIMARY KEY,
    last_event_id BIGINT      NOT NULL
);

INSERT INTO webhook_cursor (name, last_event_id) VALUES ('job_events', 0);
