package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.gateway.budget.LedgerSql.CounterKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code budget_caps} rows held in memory, so that a reservation or a routing decision of a tenant without caps
 * reads nothing from the store. Changes made through this instance are seen at once ({@link #invalidate}); those
 * of other replicas within {@code refresh}, when the next reader finds the copy older than that and reads it again.
 * The copy only says which counters a reservation must take: the limit itself is read in the reservation's own
 * transaction, so a stale copy never admits more than the current cap.
 */
public final class CapCache {

    private record Snapshot(List<BudgetCap> caps, Instant readAt) {}

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration refresh;
    private volatile Snapshot snapshot;

    public CapCache(JdbcClient jdbc, Clock clock, Duration refresh) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.refresh = refresh;
    }

    /** Every cap, ordered by scope, tenant and period. */
    List<BudgetCap> caps() {
        Snapshot s = snapshot;
        Instant now = clock.instant();
        if (s == null || !now.isBefore(s.readAt().plus(refresh)) || now.isBefore(s.readAt())) {
            s = new Snapshot(read(), now);
            snapshot = s;
        }
        return s.caps();
    }

    /** Forgets the copy; the next reader reads the table again. */
    void invalidate() {
        snapshot = null;
    }

    /** Whether a cap exists, as far as this copy knows, for the counter's scope, tenant and period. */
    boolean capped(CounterKey key) {
        for (BudgetCap cap : caps()) {
            if (cap.scope() == key.scope() && cap.period() == key.period() && cap.tenant().equals(key.tenant())) {
                return true;
            }
        }
        return false;
    }

    private List<BudgetCap> read() {
        return jdbc.sql("SELECT scope, tenant, period, limit_usd FROM budget_caps ORDER BY scope, tenant, period")
                .query((rs, n) -> new BudgetCap(BudgetScope.parse(rs.getString(1)), rs.getString(2),
                        BudgetPeriod.parse(rs.getString(3)), Money.usd(rs.getBigDecimal(4))))
                .list();
    }
}
