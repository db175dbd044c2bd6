package dev.wanhybrid.gateway.budget;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.cost.budget.WhenExhausted;
import dev.wanhybrid.gateway.tenant.Tenant;
import dev.wanhybrid.gateway.tenant.TenantDirectory;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/budgets} and {@code PUT /v1/budgets} for the admin token or admin tenants
 * ({@code gateway.budget.admin-tenants}); a tenant cap must name a configured tenant:
 * every cap with what is committed and left in the current period; a PUT creates or replaces one cap, or removes
 * it with {@code "limit_usd": null}. {@code when_exhausted} ({@code reject}, the default, {@code local_only},
 * {@code lower_tier} or {@code queue}) says what a request the cap can no longer pay for gets.
 */
@RestController
class BudgetsController {

    private final BudgetCaps caps;
    private final BudgetProperties properties;
    private final TenantDirectory tenants;

    BudgetsController(BudgetCaps caps, BudgetProperties properties, TenantDirectory tenants) {
        this.caps = caps;
        this.properties = properties;
        this.tenants = tenants;
    }

    /** One cap on the wire. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record BudgetView(String object, String scope, String tenant, String period,
            @JsonProperty("limit_usd") BigDecimal limitUsd, @JsonProperty("committed_usd") BigDecimal committedUsd,
            @JsonProperty("remaining_usd") BigDecimal remainingUsd, @JsonProperty("period_key") String periodKey,
            @JsonProperty("resets_at") long resetsAt, @JsonProperty("when_exhausted") String whenExhausted) {

        static BudgetView of(BudgetStatus s) {
            return new BudgetView("budget", s.cap().scope().id(),
                    s.cap().scope() == BudgetScope.GLOBAL ? null : s.cap().tenant(), s.cap().period().id(),
                    s.cap().limit().amount(),
                    s.committedUsd(), s.remainingUsd(), s.periodKey(), s.resetsAt().getEpochSecond(),
                    s.cap().whenExhausted().id());
        }
    }

    record BudgetList(String object, @JsonProperty("time_zone") String timeZone, List<BudgetView> data) {}


    @GetMapping("/v1/budgets")
    BudgetList list(HttpServletRequest request) {
        requireAdmin(request);
        return new BudgetList("list", properties.timeZone().getId(),
                caps.allStatus().stream().map(BudgetView::of).toList());
    }

    @PutMapping("/v1/budgets")
    Object put(HttpServletRequest request, @RequestBody(required = false) Map<String, Object> body) {
        requireAdmin(request);
        if (body == null) {
            throw ApiException.invalid(null, "missing_body", "Send a JSON object with scope, period and limit_usd.");
        }
        BudgetScope scope;
        try {
            scope = BudgetScope.parse(text(body, "scope"));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("scope", "invalid_scope", e.getMessage());
        }
        BudgetPeriod period;
        try {
            period = BudgetPeriod.parse(text(body, "period"));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("period", "invalid_period", e.getMessage());
        }
        String tenant = text(body, "tenant");
        if (scope == BudgetScope.TENANT && (tenant == null || tenant.isBlank() || tenant.length() > 64)) {
            throw ApiException.invalid("tenant", "invalid_tenant", "A tenant budget needs a tenant id of 1 to 64 characters.");
        }
        if (scope == BudgetScope.TENANT && !tenants.knows(tenant)) {
            throw ApiException.invalid("tenant", "unknown_tenant", "No tenant '" + printable(tenant)
                    + "' is configured here, so a cap for it would never apply.");
        }
        if (!body.containsKey("limit_usd")) {
            throw ApiException.invalid("limit_usd", "missing_limit",
                    "limit_usd is required: a non-negative amount in US dollars, or null to remove the cap.");
        }
        Object raw = body.get("limit_usd");
        if (raw == null) {
            boolean removed = caps.removeCap(scope, tenant, period);
            return Map.of("object", "budget.deleted", "scope", scope.id(), "period", period.id(), "deleted", removed);
        }
        BigDecimal limit;
        try {
            limit = new BigDecimal(raw.toString().trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("limit_usd", "invalid_limit", "limit_usd must be a decimal amount, was '"
                    + printable(raw.toString()) + "'.");
        }
        if (limit.signum() < 0 || limit.scale() > 6 || limit.precision() - limit.scale() > 12) {
            throw ApiException.invalid("limit_usd", "invalid_limit",
                    "limit_usd must be between 0 and 999999999999 with at most 6 decimals, was " + limit.toPlainString() + ".");
        }
        String policy = text(body, "when_exhausted");
        WhenExhausted whenExhausted;
        try {
            whenExhausted = policy == null ? WhenExhausted.REJECT : WhenExhausted.parse(policy);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("when_exhausted", "invalid_when_exhausted",
                    "when_exhausted must be one of " + java.util.Arrays.stream(WhenExhausted.values())
                            .map(WhenExhausted::id).toList() + ", was '" + printable(policy) + "'.");
        }
        BudgetCap cap = new BudgetCap(scope, tenant, period, Money.usd(limit), whenExhausted);
        caps.putCap(cap);
        return caps.allStatus().stream().filter(s -> s.cap().name().equals(cap.name())).findFirst()
                .map(BudgetView::of).orElseThrow();
    }

    private void requireAdmin(HttpServletRequest request) {
        if (Boolean.TRUE.equals(request.getAttribute(Tenant.ADMIN_ATTRIBUTE))) {
            return;
        }
        Tenant tenant = (Tenant) request.getAttribute(Tenant.REQUEST_ATTRIBUTE);
        if (tenant == null || !properties.adminTenants().contains(tenant.id())) {
            throw new ApiException(HttpStatus.FORBIDDEN, ApiError.PERMISSION, null, "admin_required",
                    "Budgets can only be read and changed with the admin token (gateway.admin.token-sha256) or by"
                            + " an admin tenant (gateway.budget.admin-tenants).");
        }
    }

    private static String text(Map<String, Object> body, String field) {
        Object v = body.get(field);
        if (v != null && !(v instanceof String)) {
            throw ApiException.invalid(field, "invalid_" + field, field + " must be a string.");
        }
        return (String) v;
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
