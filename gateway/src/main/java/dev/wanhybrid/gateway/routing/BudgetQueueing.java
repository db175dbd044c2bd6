package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.cost.budget.WhenExhausted;

/**
 * When a refused request waits instead: its tightest budget cap is spent and its policy is {@code queue}, and the
 * budget is among the reasons nothing could take it now. That is a plain budget refusal (402), or a refusal that
 * is ours (503) because the owned engines that the spent budget leaves were busy or down while the cloud options
 * were over the budget. Refusals that waiting cannot cure (a size no model makes, a deadline shorter than any
 * model needs) stay refusals.
 */
public final class BudgetQueueing {

    private BudgetQueueing() {}

    /** Whether the request is accepted to wait for the budget or an owned engine, rather than refused. */
    public static boolean queues(WhenExhausted policy, NoRouteException refusal) {
        if (policy != WhenExhausted.QUEUE) {
            return false;
        }
        if (refusal.httpStatus() == 402) {
            return true;
        }
        return refusal.httpStatus() == 503 && refusal.rejected().stream()
                .anyMatch(r -> RejectionReason.BUDGET.code().equals(r.reason()));
    }
}
