package dev.wanhybrid.gateway.budget;

import static dev.wanhybrid.gateway.budget.LedgerSql.usd;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.cost.budget.DegradePolicy;
import dev.wanhybrid.cost.budget.WhenExhausted;
import dev.wanhybrid.gateway.budget.LedgerSql.CounterKey;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The budget caps over SQL: the {@code budget_caps} rows (held in memory by {@link CapCache}), and where each
 * stands read from the {@code budget_counters} that {@link JdbcSpendLedger} moves, or from the recorded entries
 * while its period has no counter yet. A tenant no cap applies to costs no query. Headroom for paid work follows
 * the degrade policy.
 */
public class JdbcBudgetCaps implements BudgetCaps {

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final BudgetProperties properties;
    private final DegradePolicy degrade;
    private final CapCache cache;
    private final BackendSpendCaps backendCaps;

    public JdbcBudgetCaps(JdbcClient jdbc, TransactionTemplate tx, Clock clock, BudgetProperties properties,
            CapCache cache) {
        this(jdbc, tx, clock, properties, cache, java.util.Map::of);
    }

    /** @param backendCaps monthly limits of single backends, applied on top of the tenant and global caps */
    public JdbcBudgetCaps(JdbcClient jdbc, TransactionTemplate tx, Clock clock, BudgetProperties properties,
            CapCache cache, BackendSpendCaps backendCaps) {
        this.backendCaps = backendCaps;
        this.jdbc = jdbc;
        this.cache = cache;
        this.tx = tx;
        this.clock = clock;
        this.properties = properties;
        this.degrade = new DegradePolicy(properties.degrade().threshold(),
                DegradePolicy.Action.parse(properties.degrade().action()));
    }

    private ZoneId zone() {
        return properties.timeZone();
    }

    @Override
    public Optional<BigDecimal> headroomUsd(String tenant, String backend) {
        Optional<BigDecimal> fromCaps = binding(tenant, Backend.isCloud(backend)).map(Binding::headroom);
        BigDecimal backendCap = backendCaps.monthlyUsd().get(backend);
        if (backendCap == null) {
            return fromCaps;
        }
        // What the backend (a cloud source with its own monthly budget) has settled and still holds this budget
        // month, whoever the tenant.
        BigDecimal used = jdbc.sql("SELECT COALESCE(SUM(CASE WHEN state = 'settled' THEN actual_usd"
                        + " WHEN state = 'reserved' THEN reserved_usd ELSE 0 END), 0) FROM spend_entries"
                        + " WHERE backend = ? AND month_key = ?")
                .params(backend, BudgetPeriod.MONTH.keyOf(clock.instant(), zone())).query(BigDecimal.class).single();
        BigDecimal left = backendCap.subtract(used).max(BigDecimal.ZERO);
        return Optional.of(fromCaps.map(left::min).orElse(left));
    }

    @Override
    public WhenExhausted whenExhausted(String tenant) {
        return binding(tenant, true).map(Binding::policy).orElse(WhenExhausted.REJECT);
    }

    /** The tightest cap for the tenant: the least headroom, and of caps with as little, the strictest policy. */
    private record Binding(BigDecimal headroom, WhenExhausted policy) {}

    private Optional<Binding> binding(String tenant, boolean paid) {
        Instant now = clock.instant();
        Binding least = null;
        for (BudgetCap cap : cache.caps()) {
            if (cap.scope() == BudgetScope.TENANT && !cap.tenant().equals(tenant)) {
                continue;
            }
            CounterKey key = new CounterKey(cap.scope(), cap.tenant(), cap.period(), cap.period().keyOf(now, zone()));
            BigDecimal committed = cache.committed(key, k -> LedgerSql.committedOrRecorded(jdbc, k));
            Money limit = Money.usd(cap.limit().amount());
            Money remaining = Money.usd(cap.limit().amount().subtract(committed));
            BigDecimal headroom = paid ? degrade.paidHeadroom(limit, remaining).amount()
                    : remaining.amount().max(BigDecimal.ZERO);
            int order = least == null ? -1 : headroom.compareTo(least.headroom());
            if (order < 0) {
                least = new Binding(headroom, cap.whenExhausted());
            } else if (order == 0) {
                least = new Binding(headroom, least.policy().stricter(cap.whenExhausted()));
            }
        }
        return Optional.ofNullable(least);
    }

    @Override
    public List<BudgetStatus> statusFor(String tenant) {
        Instant now = clock.instant();
        List<BudgetStatus> out = new ArrayList<>();
        for (BudgetCap cap : caps()) {
            if (cap.scope() == BudgetScope.TENANT && !cap.tenant().equals(tenant)) {
                continue;
            }
            out.add(status(cap, now));
        }
        return out;
    }

    @Override
    public List<BudgetStatus> allStatus() {
        Instant now = clock.instant();
        return caps().stream().map(cap -> status(cap, now)).toList();
    }

    private BudgetStatus status(BudgetCap cap, Instant now) {
        CounterKey key = new CounterKey(cap.scope(), cap.tenant(), cap.period(), cap.period().keyOf(now, zone()));
        BigDecimal committed = LedgerSql.committedOrRecorded(jdbc, key);
        return new BudgetStatus(cap, key.periodKey(), committed, cap.limit().amount().subtract(committed),
                cap.period().end(now, zone()));
    }

    public List<BudgetCap> caps() {
        return cache.caps();
    }

    @Override
    public void putCap(BudgetCap cap) {
        Timestamp ts = Timestamp.from(clock.instant());
        tx.executeWithoutResult(status -> {
            int n = jdbc.sql("""
                    UPDATE budget_caps SET limit_usd = ?, when_exhausted = ?, updated_at = ?
                    WHERE scope = ? AND tenant = ? AND period = ?""")
                    .params(usd(cap.limit().amount()), cap.whenExhausted().id(), ts, cap.scope().id(), cap.tenant(),
                            cap.period().id()).update();
            if (n == 0) {
                jdbc.sql("""
                        INSERT INTO budget_caps (scope, tenant, period, limit_usd, when_exhausted, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?)""")
                        .params(cap.scope().id(), cap.tenant(), cap.period().id(), usd(cap.limit().amount()),
                                cap.whenExhausted().id(), ts)
                        .update();
            }
            // The current period's counter starts from what is already committed in it.
            CounterKey key = new CounterKey(cap.scope(), cap.tenant(), cap.period(),
                    cap.period().keyOf(clock.instant(), zone()));
            if (LedgerSql.committed(jdbc, key).isEmpty()) {
                LedgerSql.createCounter(jdbc, key, null);
            }
        });
        cache.invalidate();
    }

    /** Writes a cap only when none exists for its key (start-up seeding from configuration). */
    public void seedCap(BudgetCap cap) {
        try {
            jdbc.sql("""
                    INSERT INTO budget_caps (scope, tenant, period, limit_usd, when_exhausted, updated_at)
                    SELECT ?, ?, ?, ?, ?, ? FROM budget_caps WHERE scope = ? AND tenant = ? AND period = ?
                    HAVING COUNT(*) = 0""")
                    .params(cap.scope().id(), cap.tenant(), cap.period().id(), usd(cap.limit().amount()),
                            cap.whenExhausted().id(), Timestamp.from(clock.instant()), cap.scope().id(), cap.tenant(),
                            cap.period().id())
                    .update();
        } catch (DuplicateKeyException raced) {
            // another instance seeded it first
        }
        cache.invalidate();
    }

    @Override
    public boolean removeCap(BudgetScope scope, String tenant, BudgetPeriod period) {
        String capTenant = scope == BudgetScope.GLOBAL ? "" : tenant;
        boolean removed = Boolean.TRUE.equals(tx.execute(status -> {
            // Its counters go with it; a cap added again later starts from what is recorded then.
            jdbc.sql("DELETE FROM budget_counters WHERE scope = ? AND tenant = ? AND period = ?")
                    .params(scope.id(), capTenant, period.id()).update();
            return jdbc.sql("DELETE FROM budget_caps WHERE scope = ? AND tenant = ? AND period = ?")
                    .params(scope.id(), capTenant, period.id()).update() > 0;
        }));
        cache.invalidate();
        return removed;
    }
}
