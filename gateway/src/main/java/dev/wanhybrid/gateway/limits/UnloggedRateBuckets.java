package dev.wanhybrid.gateway.limits;

import dev.wanhybrid.gateway.database.PostgresOnlyMigration;
import java.util.List;

/**
 * Migration 53: on PostgreSQL the Bucket4j bucket tables ({@code tenant_rate_buckets}, V45; {@code cloud_rate_buckets},
 * V52) become {@code UNLOGGED}; on H2, where they stay empty, it does nothing. A Java migration so that both stores
 * keep one migration history.
 *
 * <p>Why: every authenticated request takes a tenant permit, one short transaction on its bucket row. On a logged
 * table that transaction writes WAL, and with {@code synchronous_commit} on (PostgreSQL's default, and what a
 * durable job store needs) its commit waits for the WAL to reach the disk, so every request, a plain GET included,
 * paid an {@code fsync}. A transaction that writes only unlogged tables writes no WAL and commits without waiting.
 * What that gives up: after a crash of the database server (not a clean restart) PostgreSQL empties unlogged tables,
 * and a promoted standby starts them empty, so every bucket is full again, as after a restart of an in-memory
 * limiter. Job rows, events, the spend ledger and the cloud task slots stay logged.
 */
public final class UnloggedRateBuckets extends PostgresOnlyMigration {

    /** The tables it changes. */
    public static final List<String> TABLES = List.of("tenant_rate_buckets", "cloud_rate_buckets");

    public UnloggedRateBuckets() {
        super(53, "rate buckets unlogged", TABLES.stream().map(t -> "ALTER TABLE IF EXISTS " + t + " SET UNLOGGED")
                .toList());
    }
}
