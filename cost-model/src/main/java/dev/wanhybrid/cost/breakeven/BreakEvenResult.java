package dev.wanhybrid.cost.breakeven;

import dev.wanhybrid.cost.Money;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Where owning equals renting.
 *
 * @param perMonth break-even volume in videos per month, empty when the API is never dearer per video
 * @param perYear the same per year
 * @param perDay the same per day (a year of 365 days)
 * @param capacityPerMonth what the fleet can make per month
 * @param withinCapacity whether the fleet can reach the break-even volume at all
 * @param fixedPerYear the fleet's fixed cost per year
 * @param savingPerVideo API price minus local marginal cost
 */
public record BreakEvenResult(Optional<BigDecimal> perMonth, Optional<BigDecimal> perYear,
        Optional<BigDecimal> perDay, BigDecimal capacityPerMonth, boolean withinCapacity, Money fixedPerYear,
        Money savingPerVideo) {}
