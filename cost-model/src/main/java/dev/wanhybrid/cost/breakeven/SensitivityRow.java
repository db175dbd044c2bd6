package dev.wanhybrid.cost.breakeven;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * One line of a sensitivity table: the break-even volume when one input is changed.
 *
 * @param parameter which input was changed ({@code api_price}, {@code utilization}, {@code gpus})
 * @param value its value on this line, as text
 * @param breakEvenPerMonth the break-even volume, empty when there is none
 * @param capacityPerMonth the fleet's capacity on this line
 */
public record SensitivityRow(String parameter, String value, Optional<BigDecimal> breakEvenPerMonth,
        BigDecimal capacityPerMonth) {}
