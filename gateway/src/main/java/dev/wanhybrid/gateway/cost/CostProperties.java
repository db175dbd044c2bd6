package dev.wanhybrid.gateway.cost;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The local fleet and the reference video of the break-even figures ({@code gateway.cost}).
 *
 * @param fleet the GPUs and how they are paid for
 * @param reference the typical video the break-even figures are about
 * @param meterRefresh how long ledger-derived meters keep a snapshot
 */
@Validated
@ConfigurationProperties("gateway.cost")
public record CostProperties(@NotNull @Valid Fleet fleet, @NotNull @Valid Reference reference, Duration meterRefresh) {

    public CostProperties {
        meterRefresh = meterRefresh == null ? Duration.ofSeconds(10) : meterRefresh;
    }

    /**
     * @param gpu GPU type, a key of the throughput model's speed table
     * @param count number of GPUs
     * @param currency ISO code of every amount below
     * @param rented set for a rented fleet
     * @param owned set for an owned fleet
     */
    public record Fleet(@NotBlank String gpu, @Min(0) int count, @NotBlank String currency, @Valid Rented rented,
            @Valid Owned owned) {}

    /** @param hourlyPerGpu price of one GPU-hour */
    /**
     * @param hourlyPerGpu price of one GPU for one hour
     * @param opsStaffPerYear people who run the rented fleet, per year; none when absent
     * @param overheadPerYear storage, network, support, per year; none when absent
     */
    public record Rented(@NotNull @DecimalMin("0") BigDecimal hourlyPerGpu, @DecimalMin("0") BigDecimal opsStaffPerYear,
            @DecimalMin("0") BigDecimal overheadPerYear) {}

    /** Capex, write-off period and running costs of an owned fleet; see the cost-model's FleetCost.Owned. */
    public record Owned(@NotNull @DecimalMin("0") BigDecimal capexPerGpu,
            @NotNull @DecimalMin(value = "0", inclusive = false) BigDecimal amortizationYears,
            @NotNull @DecimalMin("0") BigDecimal busyWattsPerGpu, BigDecimal idleWattsPerGpu,
            @NotNull @DecimalMin("0") BigDecimal energyPerKwh, BigDecimal pue,
            @NotNull @DecimalMin("0") BigDecimal opsStaffPerYear, @NotNull @DecimalMin("0") BigDecimal overheadPerYear) {}

    /**
     * @param cloudModel the cloud model whose list price is the alternative
     * @param localModel the local model that makes the same clip
     * @param size frame size, e.g. {@code 832x480}
     * @param seconds clip length
     * @param targetUtilization busy fraction the fleet can sustain
     */
    public record Reference(@NotBlank String cloudModel, @NotBlank String localModel, @NotBlank String size,
            @Min(1) int seconds,
            @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") BigDecimal targetUtilization) {}
}
