package dev.wanhybrid.gateway.budget;

import java.math.BigDecimal;

/** A reservation that would push a budget cap past its limit. */
public class BudgetExceededException extends Exception {

    private final String cap;
    private final BigDecimal remainingUsd;

    /**
     * @param cap which cap, e.g. {@code tenant:acme/day} or {@code global/month}
     * @param remainingUsd what was left under that cap
     */
    public BudgetExceededException(String cap, BigDecimal remainingUsd, String message) {
        super(message);
        this.cap = cap;
        this.remainingUsd = remainingUsd;
    }

    public String cap() {
        return cap;
    }

    public BigDecimal remainingUsd() {
        return remainingUsd;
    }
}
