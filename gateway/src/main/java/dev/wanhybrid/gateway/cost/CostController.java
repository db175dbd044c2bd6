package dev.wanhybrid.gateway.cost;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wanhybrid.cost.breakeven.BreakEvenResult;
import dev.wanhybrid.cost.breakeven.Recommendation;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.gateway.budget.BudgetProperties;
import dev.wanhybrid.gateway.budget.PeriodTotals;
import dev.wanhybrid.gateway.budget.SpendReports;
import dev.wanhybrid.gateway.tenant.Tenant;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/cost/summary}: spend today and this month (in the budget time zone) by backend and model, money
 * held by running jobs, savings against all-cloud and the observed volume; a tenant sees its own, an admin tenant
 * everyone's or one tenant's ({@code ?tenant=}). {@code GET /v1/cost/breakeven}: the fleet against the API.
 */
@RestController
class CostController {

    private final SpendReports reports;
    private final BreakEvenService breakEven;
    private final BudgetProperties budget;
    private final Clock clock;

    CostController(SpendReports reports, BreakEvenService breakEven, BudgetProperties budget, Clock clock) {
        this.reports = reports;
        this.breakEven = breakEven;
        this.budget = budget;
        this.clock = clock;
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Period(@JsonProperty("period_key") String periodKey, long videos, @JsonProperty("total_usd") BigDecimal totalUsd,
            @JsonProperty("all_cloud_usd") BigDecimal allCloudUsd, @JsonProperty("savings_usd") BigDecimal savingsUsd, @JsonProperty("by_backend") Map<String, BigDecimal> byBackend,
            @JsonProperty("by_model") Map<String, BigDecimal> byModel) {}

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Summary(String object, String tenant, String currency, @JsonProperty("time_zone") String timeZone,
            Period today, Period month, @JsonProperty("reserved_usd") BigDecimal reservedUsd,
            @JsonProperty("volume_last_30_days") long volumeLast30Days) {}

    @GetMapping("/v1/cost/summary")
    Summary summary(HttpServletRequest request, @RequestParam(name = "tenant", required = false) String tenantParam) {
        Tenant caller = (Tenant) request.getAttribute(Tenant.REQUEST_ATTRIBUTE);
        boolean admin = caller != null && budget.adminTenants().contains(caller.id());
        String tenant;
        if (admin) {
            tenant = tenantParam == null || tenantParam.isBlank() ? null : tenantParam;
        } else {
            if (tenantParam != null && caller != null && !tenantParam.equals(caller.id())) {
                throw new ApiException(HttpStatus.FORBIDDEN, ApiError.PERMISSION, "tenant", "admin_required",
                        "Only an admin tenant can read another tenant's spend.");
            }
            tenant = caller == null ? null : caller.id();
        }
        Instant now = clock.instant();
        return new Summary("cost.summary", tenant, "USD", budget.timeZone().getId(),
                period(BudgetPeriod.DAY, now, tenant), period(BudgetPeriod.MONTH, now, tenant),
                reports.reservedUsd(tenant), reports.videosLast30Days(tenant));
    }

    private Period period(BudgetPeriod period, Instant now, String tenant) {
        PeriodTotals t = PeriodTotals.of(
                reports.totals(period.start(now, budget.timeZone()), period.end(now, budget.timeZone()), tenant));
        return new Period(period.keyOf(now, budget.timeZone()), t.videos(), t.actualUsd(), t.allCloudUsd(),
                t.savingsUsd(), t.byBackend(), t.byModel());
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record BreakEvenView(String object, String gpu, int gpus,
            @JsonProperty("reference_cloud_model") String cloudModel, @JsonProperty("reference_local_model") String localModel,
            @JsonProperty("api_usd_per_video") BigDecimal apiPerVideo,
            @JsonProperty("local_marginal_usd_per_video") BigDecimal marginalPerVideo,
            @JsonProperty("fixed_usd_per_year") BigDecimal fixedPerYear,
            @JsonProperty("breakeven_videos_per_month") BigDecimal perMonth,
            @JsonProperty("breakeven_videos_per_year") BigDecimal perYear,
            @JsonProperty("breakeven_videos_per_day") BigDecimal perDay,
            @JsonProperty("capacity_videos_per_month") BigDecimal capacity,
            @JsonProperty("reachable_with_fleet") boolean reachable,
            @JsonProperty("observed_videos_per_month") long observed,
            @JsonProperty("api_only_usd_per_month") BigDecimal apiOnly,
            @JsonProperty("current_fleet_usd_per_month") BigDecimal current,
            @JsonProperty("observed_utilization") double observedUtilization,
            @JsonProperty("local_fully_loaded_usd_per_video") BigDecimal fullyLoadedPerVideo,
            String recommendation, @JsonProperty("recommended_gpus") int recommendedGpus, String explanation) {}

    @GetMapping("/v1/cost/breakeven")
    BreakEvenView breakeven() {
        dev.wanhybrid.cost.breakeven.BreakEvenInputs inputs;
        try {
            inputs = breakEven.inputs();
        } catch (IllegalStateException | IllegalArgumentException e) {
            // A reference video the catalog or the throughput model cannot price is a configuration gap, not the caller's.
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, ApiError.SERVICE_UNAVAILABLE, null,
                    "breakeven_unavailable", "The break-even figures are not available: " + e.getMessage());
        }
        BreakEvenResult r = breakEven.analyze();
        long observed = reports.videosLast30Days();
        Recommendation rec = breakEven.recommend(observed);
        var localCost = breakEven.localCostAt(observed);
        return new BreakEvenView("cost.breakeven", breakEven.fleet().gpu(), breakEven.fleet().count(),
                breakEven.reference().cloudModel(), breakEven.reference().localModel(),
                inputs.apiPerVideo().amount(), inputs.marginalPerVideo().amount().setScale(6, RoundingMode.HALF_EVEN),
                r.fixedPerYear().rounded().amount(), r.perMonth().orElse(null), r.perYear().orElse(null),
                r.perDay().orElse(null), r.capacityPerMonth(), r.withinCapacity(), observed,
                rec.apiOnlyPerMonth().rounded().amount(), rec.hybridPerMonth().rounded().amount(),
                localCost.utilization(), localCost.fullyLoaded().amount().setScale(6, RoundingMode.HALF_EVEN),
                rec.action().name().toLowerCase(java.util.Locale.ROOT), rec.recommendedGpus(), rec.explanation());
    }
}
