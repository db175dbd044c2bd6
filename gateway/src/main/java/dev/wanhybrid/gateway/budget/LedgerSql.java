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

    /** An amount at the scale the ledger stores. */
    static BigDecimal usd(BigDecimal amount) {
        return amount.setScale(6, RoundingMode.HALF_EVEN);
    }
}
