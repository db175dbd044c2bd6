-- Per-tenant rate limits shared by all gateway replicas on PostgreSQL: one Bucket4j token bucket per tenant and
-- limit (tenant.SharedTenantRateLimiter). id is "<tenant>:<limit>/<period>", state is Bucket4j's serialized
-- bucket, expires_at (epoch ms) is when the row may be deleted because the bucket has long been full again.
-- Created on H2 too (one migration set for both stores), where it stays empty: H2 keeps limits in memory.
CREATE TABLE tenant_rate_buckets (
    id         VARCHAR(200) PRIMARY KEY,
    state      BYTEA,
    expires_at BIGINT
);
