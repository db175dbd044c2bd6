package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.cost.budget.WhenExhausted;
import dev.wanhybrid.gateway.budget.LedgerSql.CounterKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code budget_caps} rows held in memory, so that a reservation or a routing decision of a tenant without caps
 * reads nothing from the store. Changes made through this instance are seen at once ({@link #invalidate}); those
 * of other replicas within {@code refresh}, when the next reader finds the copy older than that and reads it again.
 * The copy only says which counters a reservation must take: the limit itself is read in the reservation's own
 * transaction, so a stale copy never admits more than the current cap. Where each counter stands is remembered
 * for the router's headroom the same way, for a shorter time.
 */
public final class CapCache {

    private record Snapshot(List<BudgetCap> caps, Instant readAt) {}

    private record Held(BigDecimal committed, Instant readAt) {}

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration refresh;
    private final Duration headroomRefresh;
    private final Map<CounterKey, Held> committed = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot;

    /**
     * @param refresh how old the copy of the caps may grow before a reader reads them again
     * @param headroomRefresh how old a counter's remembered value may grow before headroom reads it again (what
     *     this instance reserves, settles or releases is forgotten at its commit; other replicas' within this)
     */
    public CapCache(JdbcClient jdbc, Clock clock, Duration refresh, Duration headroomRefresh) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.refresh = refresh;
        this.headroomRefresh = headroomRefresh;
    }

    public CapCache(JdbcClient jdbc, Clock clock, Duration refresh) {
        this(jdbc, clock, refresh, Duration.ZERO);
    }

    /** What the counter holds, remembered for {@code headroomRefresh}; for planning, never for the final check. */
    BigDecimal committed(CounterKey key, Function<CounterKey, BigDecimal> read) {
        Instant now = clock.instant();
        Held held = committed.get(key);
        if (held == null || !now.isBefore(held.readAt().plus(headroomRefresh)) || now.isBefore(held.readAt())) {
            held = new Held(read.apply(key), now);
            if (headroomRefresh.isPositive()) {
                committed.put(key, held);
            }
        }
        return held.committed();
    }

    /** Forgets the remembered values of counters this instance just moved. */
    void forget(Collection<CounterKey> keys) {
        keys.forEach(committed::remove);
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
        committed.clear();
    }

    /** Whether a cap exists, as far as this copy knows, for the counter's scope, tenant and period. */
    boolean capped(CounterKey key) {
        return cap(key).isPresent();
    }

    /** The cap of the counter's scope, tenant and period, as far as this copy knows. */
    java.util.Optional<BudgetCap> cap(CounterKey key) {
        for (BudgetCap cap : caps()) {
            if (cap.scope() == key.scope() && cap.period() == key.period() && cap.tenant().equals(key.tenant())) {
                return java.util.Optional.of(cap);
            }
        }
        return java.util.Optional.empty();
    }

    private List<BudgetCap> read() {
        return jdbc.sql("""
                SELECT scope, tenant, period, limit_usd, when_exhausted FROM budget_caps
                ORDER BY scope, tenant, period""")
                .query((rs, n) -> new BudgetCap(BudgetScope.parse(rs.getString(1)), rs.getString(2),
                        BudgetPeriod.parse(rs.getString(3)), Money.usd(rs.getBigDecimal(4)),
                        WhenExhausted.parse(rs.getString(5))))
                .list();
    }
}
