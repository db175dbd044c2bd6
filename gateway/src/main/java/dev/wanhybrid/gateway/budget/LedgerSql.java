package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What {@link JdbcSpendLedger} and {@link JdbcBudgetCaps} share of the ledger's tables. */
final class LedgerSql {

    private LedgerSql() {}

    /** One counter row. */
    record CounterKey(BudgetScope scope, String tenant, BudgetPeriod period, String periodKey) {
        String capName() {
            return (scope == BudgetScope.GLOBAL ? "global" : "tenant:" + tenant) + "/" + period.id();
        }
    }

    /** What a counter holds (reserved plus settled), empty while it has no row. */
    static Optional<BigDecimal> committed(JdbcClient jdbc, CounterKey key) {
        return jdbc.sql("""
                SELECT committed_usd FROM budget_counters
                WHERE scope = ? AND tenant = ? AND period = ? AND period_key = ?""")
                .params(key.scope().id(), key.tenant(), key.period().id(), key.periodKey())
                .query(BigDecimal.class).optional();
    }

    /**
     * What the recorded entries of the counter's scope and period add up to (held while reserved, the actual amount
     * once settled), leaving out one job (the one whose reservation is being written). This is the figure a counter
     * is created with and reconciled to, and what a scope without a counter reports.
     */
    static BigDecimal recorded(JdbcClient jdbc, CounterKey key, String exceptJob) {
        String period = key.period() == BudgetPeriod.DAY ? "month_key = :month AND day_key = :key" : "month_key = :key";
        var spec = jdbc.sql("""
                SELECT COALESCE(SUM(CASE WHEN state = 'reserved' THEN reserved_usd
                                         WHEN state = 'settled' THEN actual_usd ELSE 0 END), 0)
                FROM spend_entries WHERE """ + " " + period
                        + (key.scope() == BudgetScope.TENANT ? " AND tenant = :tenant" : "") + " AND job_id <> :except")
                .param("key", key.periodKey()).param("except", exceptJob == null ? "" : exceptJob);
        if (key.period() == BudgetPeriod.DAY) {
            spec = spec.param("month", key.periodKey().substring(0, 7));
        }
        if (key.scope() == BudgetScope.TENANT) {
            spec = spec.param("tenant", key.tenant());
        }
        return spec.query(BigDecimal.class).single();
    }

    /** Creates a counter holding what is recorded for its scope and period, leaving out {@code exceptJob}. */
    static void createCounter(JdbcClient jdbc, CounterKey key, String exceptJob) {
        jdbc.sql("""
                INSERT INTO budget_counters (scope, tenant, period, period_key, committed_usd)
                VALUES (?, ?, ?, ?, ?)""")
                .params(key.scope().id(), key.tenant(), key.period().id(), key.periodKey(),
                        recorded(jdbc, key, exceptJob))
                .update();
    }

    /** What a counter holds, or what is recorded for its scope and period while it has no row. */
    static BigDecimal committedOrRecorded(JdbcClient jdbc, CounterKey key) {
        return committed(jdbc, key).orElseGet(() -> recorded(jdbc, key, null));
    }

    /** An amount at the scale the ledger stores. */
    static BigDecimal usd(BigDecimal amount) {
        return amount.setScale(6, RoundingMode.HALF_EVEN);
    }
}
