-- The spend ledger and budget caps (owned by the budget package). Portable SQL: runs on H2 and PostgreSQL.

-- One row per job: its estimate, the amount held against the caps while it runs, and what it finally cost.
CREATE TABLE spend_entries (
    job_id         VARCHAR(64)   NOT NULL PRIMARY KEY,
    tenant         VARCHAR(64)   NOT NULL,
    backend        VARCHAR(16)   NOT NULL,
    model          VARCHAR(64)   NOT NULL,
    state          VARCHAR(16)   NOT NULL,  -- reserved, released, settled
    estimate_usd   DECIMAL(18, 6) NOT NULL,
    reserved_usd   DECIMAL(18, 6) NOT NULL, -- held against the caps while reserved, 0 otherwise
    actual_usd     DECIMAL(18, 6),          -- set once, when settled
    list_usd       DECIMAL(18, 6),          -- what the same video costs at cloud list price (for savings)
    billed_seconds DECIMAL(18, 3),
    gpu_seconds    DECIMAL(18, 3),
    day_key        VARCHAR(10)   NOT NULL,  -- budget day (in the budget time zone) the amount counts against
    month_key      VARCHAR(7)    NOT NULL,
    reserved_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    settled_at     TIMESTAMP WITH TIME ZONE,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX spend_entries_settled ON spend_entries (state, settled_at);
CREATE INDEX spend_entries_period ON spend_entries (month_key, day_key, tenant);

-- Caps; the tenant column is '' for global caps so that the primary key needs no NULL.
CREATE TABLE budget_caps (
    scope      VARCHAR(8)     NOT NULL,  -- global, tenant
    tenant     VARCHAR(64)    NOT NULL,
    period     VARCHAR(8)     NOT NULL,  -- day, month
    limit_usd  DECIMAL(18, 6) NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (scope, tenant, period)
);

-- What is committed (reserved plus settled) per cap and period. A reservation is one conditional UPDATE per
-- row (committed + amount <= limit), taken in a fixed row order inside one transaction: the row locks make
-- concurrent reservations queue, so no interleaving can commit past a cap.
CREATE TABLE budget_counters (
    scope         VARCHAR(8)     NOT NULL,
    tenant        VARCHAR(64)    NOT NULL,
    period        VARCHAR(8)     NOT NULL,
    period_key    VARCHAR(10)    NOT NULL,
    committed_usd DECIMAL(18, 6) NOT NULL,
    PRIMARY KEY (scope, tenant, period, period_key)
);
