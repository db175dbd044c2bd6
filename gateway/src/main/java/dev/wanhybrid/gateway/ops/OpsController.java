package dev.wanhybrid.gateway.ops;

import dev.wanhybrid.cost.breakeven.BreakEvenInputs;
import dev.wanhybrid.cost.breakeven.BreakEvenResult;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.replay.ReplayCharts;
import dev.wanhybrid.gateway.backend.BackendRegistry;
import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.BudgetProperties;
import dev.wanhybrid.gateway.budget.BudgetStatus;
import dev.wanhybrid.gateway.budget.SpendReports;
import dev.wanhybrid.gateway.budget.PeriodTotals;
import dev.wanhybrid.gateway.cost.BreakEvenService;
import dev.wanhybrid.gateway.routing.HedgeGuard;
import dev.wanhybrid.gateway.routing.RoutingMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /ops}: one server-rendered page for operators (spend, budgets, routing split, breakers, break-even),
 * and {@code GET /ops/breakeven.png}, the cost-model's break-even chart drawn from the live figures. No scripts, no
 * external assets: it works on a machine with no network. Guarded by {@link OpsCredentialFilter}.
 */
@RestController
class OpsController {

    private final SpendReports reports;
    private final BudgetCaps caps;
    private final BudgetProperties budget;
    private final BreakEvenService breakEven;
    private final CircuitBreakerRegistry breakers;
    private final BackendRegistry backends;
    private final MeterRegistry meters;
    private final Clock clock;
    private final boolean demo;
    private final ObjectProvider<HedgeGuard> hedgeGuard;
    private final ObjectProvider<VirtualThreadWatchdog> watchdog;

    OpsController(SpendReports reports, BudgetCaps caps, BudgetProperties budget, BreakEvenService breakEven,
            CircuitBreakerRegistry breakers, BackendRegistry backends, MeterRegistry meters, Clock clock,
            Environment environment, ObjectProvider<HedgeGuard> hedgeGuard,
            ObjectProvider<VirtualThreadWatchdog> watchdog) {
        this.reports = reports;
        this.caps = caps;
        this.budget = budget;
        this.breakEven = breakEven;
        this.breakers = breakers;
        this.backends = backends;
        this.meters = meters;
        this.clock = clock;
        this.demo = environment.acceptsProfiles(Profiles.of("demo"));
        this.hedgeGuard = hedgeGuard;
        this.watchdog = watchdog;
    }

    @GetMapping(value = "/ops", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> page() {
        Instant now = clock.instant();
        OpsPage.Spend today = spend(BudgetPeriod.DAY, now);
        OpsPage.Spend month = spend(BudgetPeriod.MONTH, now);
        List<OpsPage.Decision> decisions = meters.find(RoutingMetrics.DECISIONS).counters().stream()
                .map(c -> new OpsPage.Decision(c.getId().getTag("backend"), c.getId().getTag("reason"), (long) c.count()))
                .sorted(Comparator.comparing(OpsPage.Decision::backend).thenComparing(OpsPage.Decision::reason))
                .toList();
        List<OpsPage.Breaker> breakerRows = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        breakers.getAllCircuitBreakers().forEach(b -> names.add(b.getName()));
        backends.all().forEach(b -> names.add(b.id()));
        for (String name : names) {
            String state = breakers.find(name).map(CircuitBreaker::getState).map(Enum::name).orElse("none");
            BackendReadiness readiness = backends.find(name).map(b -> b.readiness())
                    .orElse(BackendReadiness.notReady("not configured"));
            breakerRows.add(new OpsPage.Breaker(name, state, readiness.ready(), readiness.detail()));
        }
        OpsPage.BreakEven be;
        try {
            BreakEvenResult r = breakEven.analyze();
            be = new OpsPage.BreakEven(r.perMonth().orElse(null), r.capacityPerMonth(), r.withinCapacity(),
                    reports.videosLast30Days(), breakEven.fleet().count(), breakEven.fleet().gpu(), null);
        } catch (IllegalStateException | IllegalArgumentException e) {
            be = new OpsPage.BreakEven(null, null, false, reports.videosLast30Days(), breakEven.fleet().count(),
                    breakEven.fleet().gpu(), e.getMessage());
        }
        List<BudgetStatus> budgets = caps.allStatus();
        String html = OpsPage.render(new OpsPage.Model(now, budget.timeZone().getId(), demo, today, month,
                reports.reservedUsd(null), budgets, decisions, breakerRows, be, hedging(), virtualThreadStalls()));
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).contentType(MediaType.TEXT_HTML)
                .body(html);
    }

    @GetMapping(value = "/ops/breakeven.png", produces = MediaType.IMAGE_PNG_VALUE)
    ResponseEntity<byte[]> breakEvenChart() throws IOException {
        BreakEvenInputs inputs;
        try {
            inputs = breakEven.inputs();
        } catch (IllegalStateException | IllegalArgumentException e) {
            return ResponseEntity.status(503).build();
        }
        byte[] png = ReplayCharts.breakEvenPng(inputs, BigDecimal.valueOf(reports.videosLast30Days()));
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).contentType(MediaType.IMAGE_PNG).body(png);
    }

    /** {@code on}, {@code paused} by the hedge guard, or {@code off} (no guard: hedging is switched off). */
    private String hedging() {
        HedgeGuard guard = hedgeGuard.getIfAvailable();
        if (guard == null) {
            return "off";
        }
        return guard.allowsHedging() ? "on" : "paused";
    }

    private long virtualThreadStalls() {
        VirtualThreadWatchdog w = watchdog.getIfAvailable();
        return w == null ? -1 : w.stallsEnded();
    }

    private OpsPage.Spend spend(BudgetPeriod period, Instant now) {
        PeriodTotals t = PeriodTotals.of(
                reports.totals(period.start(now, budget.timeZone()), period.end(now, budget.timeZone()), null));
        return new OpsPage.Spend(period.keyOf(now, budget.timeZone()), t);
    }
}
