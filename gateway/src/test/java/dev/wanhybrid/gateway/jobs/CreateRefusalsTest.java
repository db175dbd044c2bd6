package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.BudgetExceededException;
import dev.wanhybrid.gateway.budget.BudgetStatus;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.web.ApiException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;

/** One mapping from a refused creation to each protocol's answer: whose fault, which status and code, retry or not. */
class CreateRefusalsTest {

    private final BudgetCaps caps = mock(BudgetCaps.class);
    private final CreateRefusals refusals;

    @SuppressWarnings("unchecked")
    CreateRefusalsTest() {
        ObjectProvider<BudgetCaps> provider = mock(ObjectProvider.class);
        when(provider.getIfAvailable()).thenReturn(caps);
        refusals = new CreateRefusals(provider);
        BudgetCap day = new BudgetCap(BudgetScope.TENANT, "acme", BudgetPeriod.DAY, Money.usd(new BigDecimal("10")));
        BudgetCap month = new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.MONTH, Money.usd(new BigDecimal("500")));
        when(caps.statusFor("acme")).thenReturn(List.of(
                new BudgetStatus(month, "2026-12", new BigDecimal("20"), new BigDecimal("480"),
                        Instant.parse("2027-01-01T00:00:00Z")),
                new BudgetStatus(day, "2026-12-04", new BigDecimal("9.9"), new BigDecimal("0.1"),
                        Instant.parse("2026-12-05T00:00:00Z"))));
    }

    @Test
    void aBudgetRefusalIs402NamingTheCapItsPeriodAndResetAndArrearageOnTheFacade() {
        CreateRefusals.Refusal r = refusals.of(new BudgetRejectedException(new BudgetExceededException(
                "tenant:acme/day", new BigDecimal("0.1"), "no room")), "acme");

        ApiException e = r.toApiException();
        assertThat(e.status().value()).isEqualTo(402);
        assertThat(e.code()).isEqualTo("budget_exceeded");
        assertThat(e.type()).isEqualTo("insufficient_quota");
        assertThat(e.retryAfterSeconds()).isNull();
        assertThat(e.getMessage()).contains("tenant:acme/day limit $10.00 per day, $0.10 left, resets at"
                + " 2026-12-05T00:00:00Z").contains("global/month limit $500.00 per month");
        assertThat(e.getMessage().indexOf("tenant:acme/day limit")).as("the refusing cap first")
                .isLessThan(e.getMessage().indexOf("global/month"));
        assertThat(r.dashScopeStatus()).isEqualTo(400);
        assertThat(r.dashScopeCode()).isEqualTo("Arrearage");
    }

    @Test
    void theRoutersBudgetRefusalNamesTheTightestCapFirst() {
        CreateRefusals.Refusal r = refusals.of(new NoRouteException(402, null, "budget_exceeded",
                "Every option that fits the request costs more than is left in the budget.", List.of()), "acme");

        assertThat(r.status().value()).isEqualTo(402);
        assertThat(r.message()).contains("Caps: tenant:acme/day");
        assertThat(r.dashScopeCode()).isEqualTo("Arrearage");
    }

    @Test
    void onlyATemporaryOutageIs503WithRetryAfter() {
        CreateRefusals.Refusal down = refusals.of(new NoRouteException(503, null, "backend_unavailable",
                "The cloud circuit breaker is OPEN.", List.of(new RejectedCandidate("cloud", "wan2.6-t2v",
                        "breaker_open", "open"))), "acme");
        assertThat(down.status().value()).isEqualTo(503);
        assertThat(down.retryAfterSeconds()).isEqualTo(30L);
        assertThat(down.dashScopeCode()).isEqualTo("ModelUnavailable");
        assertThat(down.message()).contains("cloud/wan2.6-t2v (breaker_open: open)");

        CreateRefusals.Refusal caller = refusals.of(new NoRouteException(400, "routing.max_cost_usd",
                "max_cost_too_low", "The cheapest option costs $0.50.", List.of()), "acme");
        assertThat(caller.status().value()).isEqualTo(400);
        assertThat(caller.param()).isEqualTo("routing.max_cost_usd");
        assertThat(caller.retryAfterSeconds()).isNull();
        assertThat(caller.dashScopeCode()).isEqualTo("InvalidParameter");
        assertThat(caller.dashScopeMessage()).startsWith("routing.max_cost_usd: ");

        CreateRefusals.Refusal unknown = refusals.of(new NoRouteException(400, "model", "model_not_found",
                "Unknown model 'x'.", List.of()), "acme");
        assertThat(unknown.dashScopeStatus()).isEqualTo(404);
        assertThat(unknown.dashScopeCode()).isEqualTo("ModelNotFound");
    }
}
