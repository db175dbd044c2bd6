package dev.wanhybrid.cloud.catalog;

import java.math.BigDecimal;
import java.util.Currency;

/** An amount of money with its currency. */
public record Money(BigDecimal amount, Currency currency) {

    public Money {
        if (amount == null || currency == null) {
            throw new IllegalArgumentException("money needs an amount and a currency");
        }
    }

    @Override
    public String toString() {
        return amount.toPlainString() + " " + currency.getCurrencyCode();
    }
}
