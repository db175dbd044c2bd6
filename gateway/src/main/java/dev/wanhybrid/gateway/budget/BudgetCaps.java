package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.cost.budget.WhenExhausted;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * The budget caps (tenant and global, day and month): what they are, where each stands in its current period, and
 * the headroom the router plans with. The {@link SpendLedger} enforces them when it reserves.
 */
public interface BudgetCaps {

    /** The smallest remaining amount under the caps that apply to the tenant, or empty when none applies. */
    Optional<BigDecimal> headroomUsd(String tenant, String backend);

    /**
     * What the tightest cap that applies to the tenant does with paid work it can no longer pay for (of caps with
     * equally little left, the strictest); {@code reject} when no cap applies.
     */
    default WhenExhausted whenExhausted(String tenant) {
        return WhenExhausted.REJECT;
    }

    /** Every cap that applies to the tenant (tenant caps and global caps), with where it stands now. */
    List<BudgetStatus> statusFor(String tenant);

    /** Every cap with where it stands now. */
    List<BudgetStatus> allStatus();

    /** Creates or replaces a cap. */
    void putCap(BudgetCap cap);

    /** Removes a cap; false when there was none. */
    boolean removeCap(BudgetScope scope, String tenant, BudgetPeriod period);
}
