package dev.wanhybrid.cloud.catalog;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Currency;

/**
 * The price of one second of output for one model, region and tier, from a dated price table.
 *
 * @param model the model id
 * @param tier {@code 480P}, {@code 720P} or {@code 1080P}
 * @param silent whether this is the silent price of a model whose audio is optional
 * @param perSecond price per billed second
 * @param currency the table's currency
 * @param effectiveFrom the first day the table applies
 */
public record UnitPrice(String model, String tier, boolean silent, BigDecimal perSecond, Currency currency,
        LocalDate effectiveFrom) {

    /** The price of {@code seconds} billed seconds. */
    public Money times(BigDecimal seconds) {
        return new Money(perSecond.multiply(seconds), currency);
    }
}
