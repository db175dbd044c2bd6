package dev.wanhybrid.cost.price;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One line of a cloud price list: the price per second of output video for a model, tier and audio choice,
 * valid from a date (inclusive) until another (exclusive, or open-ended).
 */
public record CloudPrice(String model, Tier tier, AudioPricing audio, Money perSecond, LocalDate effectiveFrom,
        LocalDate effectiveUntil) {

    public CloudPrice {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(audio, "audio");
        Objects.requireNonNull(perSecond, "perSecond");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        if (perSecond.isNegative()) {
            throw new IllegalArgumentException("price of " + model + " " + tier + " must not be negative");
        }
        if (effectiveUntil != null && !effectiveUntil.isAfter(effectiveFrom)) {
            throw new IllegalArgumentException(
                    "price of " + model + " " + tier + ": effective_until must be after effective_from");
        }
    }

    public boolean appliesOn(LocalDate day) {
        return !day.isBefore(effectiveFrom) && (effectiveUntil == null || day.isBefore(effectiveUntil));
    }

    /** Price of a clip billed for {@code billedSeconds} seconds. */
    public Money costOf(long billedSeconds) {
        return perSecond.times(billedSeconds);
    }
}
