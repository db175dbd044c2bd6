package dev.wanhybrid.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * An exact amount of money in one currency; arithmetic across currencies is refused rather than guessed.
 *
 * <p>Amounts keep their full precision (a price of 0.0375 USD/s times 5 s is 0.1875); {@link #rounded()} gives
 * the amount in the currency's minor unit when a person or an invoice needs it. Equality ignores trailing zeros.
 */
public record Money(BigDecimal amount, Currency currency) implements Comparable<Money> {

    public static final Currency USD = Currency.getInstance("USD");

    public Money {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
    }

    public static Money of(String amount, String currencyCode) {
        return new Money(new BigDecimal(amount), Currency.getInstance(currencyCode));
    }

    public static Money of(BigDecimal amount, Currency currency) {
        return new Money(amount, currency);
    }

    public static Money usd(String amount) {
        return new Money(new BigDecimal(amount), USD);
    }

    public static Money usd(BigDecimal amount) {
        return new Money(amount, USD);
    }

    public static Money zero(Currency currency) {
        return new Money(BigDecimal.ZERO, currency);
    }

    public Money plus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.add(other.amount), currency);
    }

    public Money minus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.subtract(other.amount), currency);
    }

    public Money times(BigDecimal factor) {
        return new Money(amount.multiply(factor), currency);
    }

    public Money times(long factor) {
        return times(BigDecimal.valueOf(factor));
    }

    /** Divides, keeping {@code scale} decimals (rounded half-even), for per-unit figures such as cost per video. */
    public Money dividedBy(BigDecimal divisor, int scale) {
        return new Money(amount.divide(divisor, scale, RoundingMode.HALF_EVEN), currency);
    }

    /** How many times {@code other} fits into this amount, with {@code scale} decimals. */
    public BigDecimal ratioTo(Money other, int scale) {
        requireSameCurrency(other);
        return amount.divide(other.amount, scale, RoundingMode.HALF_EVEN);
    }

    public Money negate() {
        return new Money(amount.negate(), currency);
    }

    public Money max(Money other) {
        return compareTo(other) >= 0 ? this : other;
    }

    public Money min(Money other) {
        return compareTo(other) <= 0 ? this : other;
    }

    public boolean isZero() {
        return amount.signum() == 0;
    }

    public boolean isNegative() {
        return amount.signum() < 0;
    }

    public boolean isPositive() {
        return amount.signum() > 0;
    }

    /** The amount in the currency's minor unit (cents for USD, fen for CNY), rounded half-even. */
    public Money rounded() {
        int digits = Math.max(currency.getDefaultFractionDigits(), 0);
        return new Money(amount.setScale(digits, RoundingMode.HALF_EVEN), currency);
    }

    /** The amount with exactly {@code scale} decimals (rounded half-even), e.g. 6 for micro-dollars in a ledger. */
    public Money withScale(int scale) {
        return new Money(amount.setScale(scale, RoundingMode.HALF_EVEN), currency);
    }

    @Override
    public int compareTo(Money other) {
        requireSameCurrency(other);
        return amount.compareTo(other.amount);
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException(
                    "cannot combine " + currency.getCurrencyCode() + " with " + other.currency.getCurrencyCode());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Money m && currency.equals(m.currency) && amount.compareTo(m.amount) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(amount.stripTrailingZeros(), currency);
    }

    @Override
    public String toString() {
        return amount.toPlainString() + " " + currency.getCurrencyCode();
    }
}
