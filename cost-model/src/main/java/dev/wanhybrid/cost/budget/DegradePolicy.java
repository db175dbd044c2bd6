package dev.wanhybrid.cost.budget;

import dev.wanhybrid.cost.Money;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;

/**
 * What to do as a cap runs out, before the hard limit rejects: once what is left falls under {@code threshold}
 * of the limit, paid (cloud) work is steered away according to {@code action}.
 *
 * @param threshold fraction of the limit, e.g. 0.10: below 10 % left the cap counts as near
 * @param action what happens to paid work while the cap is near
 */
public record DegradePolicy(BigDecimal threshold, Action action) {

    /** The step taken while a cap is near. */
    public enum Action {
        /** Nothing changes until the hard limit rejects. */
        NONE,
        /** Paid work may only use what is left above the threshold, so work that can run locally goes local. */
        PREFER_LOCAL;

        public static Action parse(String text) {
            String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Action a : values()) {
                if (a.name().equals(t)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("degrade action must be none or prefer-local, was '" + text + "'");
        }
    }

    public static final DegradePolicy NONE = new DegradePolicy(BigDecimal.ZERO, Action.NONE);

    public DegradePolicy {
        Objects.requireNonNull(action, "action");
        if (threshold == null || threshold.signum() < 0 || threshold.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("degrade threshold must be between 0 and 1, was " + threshold);
        }
    }

    public boolean isNear(Money limit, Money remaining) {
        return remaining.compareTo(limit.times(threshold)) < 0;
    }

    /**
     * What paid work may still commit under one cap: everything left under {@link Action#NONE}; under
     * {@link Action#PREFER_LOCAL}, only what is left above the threshold (never below zero).
     */
    public Money paidHeadroom(Money limit, Money remaining) {
        if (action == Action.NONE) {
            return remaining.max(Money.zero(remaining.currency()));
        }
        Money above = remaining.minus(limit.times(threshold));
        return above.max(Money.zero(remaining.currency()));
    }
}
