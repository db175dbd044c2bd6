package dev.wanhybrid.gateway.jobs;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Jobs waiting under a spent budget whose policy is {@code queue} ({@code gateway.budget.queue.*}).
 *
 * @param maxWait the longest a job waits; it fails with {@code budget_queue_timeout} after this, or after its
 *     {@code routing.deadline_seconds} when that comes first
 * @param recheck how long a waiting job waits before it is routed again to see whether an owned engine has room
 *     or the budget was raised (its cap's period reset, and its give-up time, are always tried on the dot)
 * @param poll how often this instance looks for waiting jobs that are due; {@code 0} leaves them to other instances
 * @param batch most waiting jobs routed again per round
 */
@Validated
@ConfigurationProperties("gateway.budget.queue")
public record BudgetQueueProperties(
        @NotNull @DefaultValue("24h") Duration maxWait,
        @NotNull @DefaultValue("1m") Duration recheck,
        @NotNull @DefaultValue("1s") Duration poll,
        @Min(1) @DefaultValue("50") int batch) {

    public BudgetQueueProperties {
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("gateway.budget.queue.max-wait must be positive, was " + maxWait);
        }
        if (recheck.isNegative() || recheck.isZero()) {
            throw new IllegalArgumentException("gateway.budget.queue.recheck must be positive, was " + recheck);
        }
    }
}
