package dev.wanhybrid.gateway.budget;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Spend reports over SQL: aggregates of the {@code spend_entries} rows that {@link JdbcSpendLedger} writes, and
 * that ledger's settlements as the signal that they changed.
 */
public class JdbcSpendReports implements SpendReports {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final JdbcSpendLedger ledger;

    public JdbcSpendReports(JdbcClient jdbc, Clock clock, JdbcSpendLedger ledger) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.ledger = ledger;
    }

    @Override
    public void onSettled(Consumer<SettledEvent> listener) {
        ledger.onSettled(listener);
    }

    @Override
    public List<SpendTotals> totals(Instant from, Instant to, String tenant) {
        String sql = """
                SELECT backend, model, tenant, SUM(CASE WHEN reason = 'hedged_to_cloud' THEN 0 ELSE 1 END),
                       COALESCE(SUM(actual_usd), 0),
                       COALESCE(SUM(COALESCE(list_usd, actual_usd)), 0)
                FROM spend_entries WHERE state = 'settled' AND settled_at >= :from AND settled_at < :to
                """ + (tenant == null ? "" : " AND tenant = :tenant ") + " GROUP BY backend, model, tenant";
        var spec = jdbc.sql(sql).param("from", Timestamp.from(from)).param("to", Timestamp.from(to));
        if (tenant != null) {
            spec = spec.param("tenant", tenant);
        }
        return spec.query((rs, n) -> new SpendTotals(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                rs.getBigDecimal(5), rs.getBigDecimal(6))).list();
    }

    @Override
    public java.util.Optional<BigDecimal> billedSeconds(String jobId) {
        return jdbc.sql("SELECT billed_seconds FROM spend_entries WHERE job_id = ? AND state = 'settled'"
                        + " AND billed_seconds IS NOT NULL")
                .param(jobId).query(BigDecimal.class).optional();
    }

    @Override
    public BigDecimal reservedUsd(String tenant) {
        return jdbc.sql("SELECT COALESCE(SUM(reserved_usd), 0) FROM spend_entries WHERE state = 'reserved'"
                        + (tenant == null ? "" : " AND tenant = ?"))
                .params(tenant == null ? new Object[0] : new Object[] {tenant})
                .query(BigDecimal.class).single();
    }

    @Override
    public BigDecimal localGpuSeconds(Duration window) {
        Timestamp since = Timestamp.from(clock.instant().minus(window));
        return jdbc.sql("""
                SELECT COALESCE(SUM(gpu_seconds), 0) FROM spend_entries
                WHERE state = 'settled' AND backend = 'local' AND settled_at >= ?""")
                .params(since).query(BigDecimal.class).single();
    }

    @Override
    public long videosLast30Days(String tenant) {
        Timestamp since = Timestamp.from(clock.instant().minus(Duration.ofDays(30)));
        // A hedged job's local remainder (reason hedged_to_cloud) is no video of its own.
        return jdbc.sql("SELECT COUNT(*) FROM spend_entries WHERE state = 'settled' AND settled_at >= ?"
                        + " AND (reason IS NULL OR reason <> 'hedged_to_cloud')"
                        + (tenant == null ? "" : " AND tenant = ?"))
                .params(tenant == null ? new Object[] {since} : new Object[] {since, tenant})
                .query(Long.class).single();
    }
}
