package dev.wanhybrid.gateway.cost;

import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.BudgetStatus;
import dev.wanhybrid.gateway.budget.PeriodTotals;
import dev.wanhybrid.gateway.budget.SpendReports;
import dev.wanhybrid.gateway.budget.SpendTotals;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The money meters of docs/metrics.md, read from the ledger rather than counted in memory, so a restarted
 * gateway reports the same totals: {@code gateway.cost}, {@code gateway.cost.savings}, {@code gateway.budget.*},
 * {@code gateway.breakeven.volume} and {@code gateway.volume.monthly}. One query snapshot serves a scrape; it is
 * refreshed when older than {@code meter-refresh} or when this instance settles a job.
 */
public final class CostMeters {

    public static final String COST = "gateway.cost";
    public static final String SAVINGS = "gateway.cost.savings";
    /** Spend in the current budget day or month ({@code period}), per tenant: resets when the period does. */
    public static final String PERIOD_SPEND = "gateway.cost.period.spend";
    /** Saved against all-cloud in the current budget day or month, per tenant: beside {@link #PERIOD_SPEND}. */
    public static final String PERIOD_SAVINGS = "gateway.cost.period.savings";
    public static final String BUDGET_REMAINING = "gateway.budget.remaining";
    public static final String BUDGET_LIMIT = "gateway.budget.limit";
    public static final String BREAKEVEN_VOLUME = "gateway.breakeven.volume";
    public static final String VOLUME_MONTHLY = "gateway.volume.monthly";
    public static final String LOCAL_UTILIZATION = "gateway.local.utilization";

    private static final Logger log = LoggerFactory.getLogger(CostMeters.class);
    private static final Instant FAR_FUTURE = Instant.parse("9999-01-01T00:00:00Z");

    private final MeterRegistry registry;
    private final SpendReports reports;
    private final BudgetCaps caps;
    private final BreakEvenService breakEven;
    private final Clock clock;
    private final Duration refresh;
    private final java.time.ZoneId zone;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile Snapshot snapshot;

    private record Snapshot(Instant takenAt, Map<String, SpendTotals> spend, Map<String, BigDecimal> savings,
            Map<String, BigDecimal> periodSpend, Map<String, BigDecimal> periodSavings, Map<String, BudgetStatus> budgets, long monthlyVolume, double breakEvenVolume, double localUtilization) {}

    /** @param zone the budget time zone, whose day and month the period meters follow */
    public CostMeters(MeterRegistry registry, SpendReports reports, BudgetCaps caps, BreakEvenService breakEven,
            Clock clock, Duration refresh, java.time.ZoneId zone) {
        this.zone = zone;
        this.registry = registry;
        this.reports = reports;
        this.caps = caps;
        this.breakEven = breakEven;
        this.clock = clock;
        this.refresh = refresh;
        Gauge.builder(VOLUME_MONTHLY, this, m -> m.current().monthlyVolume()).baseUnit("videos")
                .description("Videos settled in the last 30 days").register(registry);
        Gauge.builder(BREAKEVEN_VOLUME, this, m -> m.current().breakEvenVolume()).baseUnit("videos")
                .description("Monthly videos at which owning the fleet equals renting the API").register(registry);
        Gauge.builder(LOCAL_UTILIZATION, this, m -> m.current().localUtilization())
                .description("GPU-seconds of local work settled in the last hour over the fleet's GPU-seconds")
                .register(registry);
        // The global caps' series exist from the start (NaN while no such cap is set), so dashboards and alert
        // rules find them on a fresh gateway.
        registerBudget("global", "day", "");
        registerBudget("global", "month", "");
        reports.onSettled(event -> refreshNow());
    }

    /** Reads the ledger now and registers meters for any backend, model, tenant or cap not seen before. */
    public void refreshNow() {
        try {
            snapshot = take();
            registerNew(snapshot);
        } catch (RuntimeException e) {
            // A scrape must not fail because the database hiccuped; the previous snapshot stays.
            log.warn("cost meters could not read the ledger: {}", e.toString());
        }
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (s == null || s.takenAt().plus(refresh).isBefore(clock.instant())) {
            refreshNow();
            s = snapshot;
        }
        return s == null ? new Snapshot(clock.instant(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), 0, Double.NaN,
                Double.NaN) : s;
    }

    private Snapshot take() {
        Map<String, SpendTotals> spend = new ConcurrentHashMap<>();
        Map<String, BigDecimal> savings = new ConcurrentHashMap<>();
        for (SpendTotals t : reports.totals(Instant.EPOCH, FAR_FUTURE, null)) {
            spend.put(spendKey(t.backend(), t.model(), t.tenant()), t);
            savings.merge(t.tenant(), t.savingsUsd(), BigDecimal::add);
        }
        Map<String, BigDecimal> periodSpend = new ConcurrentHashMap<>();
        Map<String, BigDecimal> periodSavings = new ConcurrentHashMap<>();
        Instant now = clock.instant();
        for (BudgetPeriod period : BudgetPeriod.values()) {
            Map<String, List<SpendTotals>> byTenant = reports.totals(period.start(now, zone), period.end(now, zone), null)
                    .stream().collect(java.util.stream.Collectors.groupingBy(SpendTotals::tenant));
            byTenant.forEach((tenant, rows) -> {
                PeriodTotals t = PeriodTotals.of(rows);
                periodSpend.put(periodKey(period, tenant), t.actualUsd());
                periodSavings.put(periodKey(period, tenant), t.savingsUsd());
            });
        }
        Map<String, BudgetStatus> budgets = new ConcurrentHashMap<>();
        for (BudgetStatus s : caps.allStatus()) {
            budgets.put(budgetKey(s), s);
        }
        double volume;
        try {
            volume = breakEven.analyze().perMonth().map(BigDecimal::doubleValue).orElse(Double.POSITIVE_INFINITY);
        } catch (RuntimeException e) {
            volume = Double.NaN;
        }
        int gpus = breakEven.fleet().count();
        double utilization = gpus == 0 ? 0
                : reports.localGpuSeconds(Duration.ofHours(1)).doubleValue() / (gpus * 3600.0);
        return new Snapshot(clock.instant(), spend, savings, periodSpend, periodSavings, budgets, reports.videosLast30Days(), volume, utilization);
    }

    private void registerNew(Snapshot s) {
        for (SpendTotals t : s.spend().values()) {
            String key = spendKey(t.backend(), t.model(), t.tenant());
            if (registered.add("cost|" + key)) {
                FunctionCounter.builder(COST, this, value(m -> spendOf(m, key))).baseUnit("usd")
                        .description("Actual spend from the ledger")
                        .tags("backend", t.backend(), "model", t.model(), "tenant", t.tenant()).register(registry);
            }
            if (registered.add("savings|" + t.tenant())) {
                String tenant = t.tenant();
                FunctionCounter.builder(SAVINGS, this, value(m -> m.current().savings().getOrDefault(tenant, BigDecimal.ZERO)))
                        .baseUnit("usd").description("All-cloud list price minus actual spend")
                        .tags("tenant", tenant).register(registry);
                for (BudgetPeriod period : BudgetPeriod.values()) {
                    String pkey = periodKey(period, tenant);
                    String[] tags = {"period", period.id(), "tenant", tenant};
                    Gauge.builder(PERIOD_SPEND, this, value(m -> m.current().periodSpend().getOrDefault(pkey, BigDecimal.ZERO)))
                            .baseUnit("usd").description("Spend in the current budget period").tags(tags)
                            .register(registry);
                    Gauge.builder(PERIOD_SAVINGS, this,
                                    value(m -> m.current().periodSavings().getOrDefault(pkey, BigDecimal.ZERO)))
                            .baseUnit("usd").description("Saved against all-cloud in the current budget period")
                            .tags(tags).register(registry);
                }
            }
        }
        for (BudgetStatus b : s.budgets().values()) {
            registerBudget(b.cap().scope().id(), b.cap().period().id(), b.cap().tenant());
        }
    }

    private void registerBudget(String scope, String period, String tenant) {
        String key = scope + '|' + period + '|' + tenant;
        if (registered.add("budget|" + key)) {
            String[] tags = {"scope", scope, "period", period, "tenant", tenant};
            Gauge.builder(BUDGET_REMAINING, this, value(m -> budgetOf(m, key, false))).baseUnit("usd")
                    .description("What is left under a budget cap in the current period").tags(tags).register(registry);
            Gauge.builder(BUDGET_LIMIT, this, value(m -> budgetOf(m, key, true))).baseUnit("usd")
                    .description("A budget cap").tags(tags).register(registry);
        }
    }

    private static ToDoubleFunction<CostMeters> value(java.util.function.Function<CostMeters, BigDecimal> f) {
        return m -> {
            BigDecimal v = f.apply(m);
            return v == null ? Double.NaN : v.doubleValue();
        };
    }

    private static BigDecimal spendOf(CostMeters m, String key) {
        SpendTotals t = m.current().spend().get(key);
        return t == null ? BigDecimal.ZERO : t.actualUsd();
    }

    private static BigDecimal budgetOf(CostMeters m, String key, boolean limit) {
        BudgetStatus b = m.current().budgets().get(key);
        if (b == null) {
            return null; // the cap was removed: NaN, which Prometheus drops
        }
        return limit ? b.cap().limit().amount() : b.remainingUsd();
    }

    private static String periodKey(BudgetPeriod period, String tenant) {
        return period.id() + '|' + tenant;
    }

    private static String spendKey(String backend, String model, String tenant) {
        return backend + '|' + model + '|' + tenant;
    }

    private static String budgetKey(BudgetStatus s) {
        return s.cap().scope().id() + '|' + s.cap().period().id() + '|' + s.cap().tenant();
    }

    List<String> registeredKeys() {
        return List.copyOf(registered);
    }
}
