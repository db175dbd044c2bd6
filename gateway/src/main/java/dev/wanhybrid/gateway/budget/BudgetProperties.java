package dev.wanhybrid.gateway.budget;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Budget settings ({@code gateway.budget}): the time zone days and months are counted in, the degrade policy,
 * the reservation margins, the admin tenants and the caps to seed at start-up.
 *
 * @param timeZone zone of budget days and months
 * @param degrade what happens as a cap runs out
 * @param reservationMargin extra held on top of an estimate, by backend id (0.5 = 50 %)
 * @param adminTenants tenants allowed to read and change budgets and see all spend
 * @param caps caps written to the database at start-up when it has none for that key
 */
@Validated
@ConfigurationProperties("gateway.budget")
public record BudgetProperties(ZoneId timeZone, @Valid Degrade degrade, Map<String, BigDecimal> reservationMargin,
        List<String> adminTenants, List<@Valid Cap> caps) {

    public BudgetProperties {
        timeZone = timeZone == null ? ZoneId.of("UTC") : timeZone;
        degrade = degrade == null ? new Degrade(BigDecimal.ZERO, "none") : degrade;
        reservationMargin = reservationMargin == null ? Map.of() : Map.copyOf(reservationMargin);
        adminTenants = adminTenants == null ? List.of() : List.copyOf(adminTenants);
        caps = caps == null ? List.of() : List.copyOf(caps);
        reservationMargin.forEach((backend, margin) -> {
            if (margin.signum() < 0) {
                throw new IllegalArgumentException(
                        "gateway.budget.reservation-margin." + backend + " must not be negative, was " + margin);
            }
        });
    }

    /**
     * @param threshold fraction of a cap below which it counts as near
     * @param action {@code none} or {@code prefer-local}
     */
    public record Degrade(@NotNull @DecimalMin("0") @DecimalMax("1") BigDecimal threshold, @NotBlank String action) {}

    /**
     * @param scope {@code global} or {@code tenant}
     * @param tenant the tenant id of a tenant cap
     * @param period {@code day} or {@code month}
     * @param limitUsd the limit in US dollars
     * @param whenExhausted {@code reject} (the default), {@code local_only}, {@code lower_tier} or {@code queue}
     *     ({@code gateway.budget.queue.*} bounds its wait): what a request
     *     the cap can no longer pay for gets
     */
    public record Cap(@NotBlank String scope, String tenant, @NotBlank String period,
            @NotNull @DecimalMin("0") BigDecimal limitUsd, String whenExhausted) {
        // One constructor only: with a second one the binder cannot tell which to bind, and no cap binds.
    }

    public BigDecimal marginFor(String backend) {
        return reservationMargin.getOrDefault(backend, BigDecimal.ZERO);
    }
}
