package dev.wanhybrid.cost.budget;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a budget cap does with a request once it is spent: its own setting, chosen per cap. Unlike the
 * {@link DegradePolicy}, which steers paid work away as any cap runs low, this decides what happens when the cap can
 * no longer pay for the request at all.
 */
public enum WhenExhausted {
    /** Refuse the request (402 {@code budget_exceeded}); owned engines still take it while their cost fits. */
    REJECT("reject"),
    /**
     * Send the request to owned engines only (the in-JVM engine and remote engines): cloud work is refused, and the
     * owned engines' cost is recorded against the cap but never refused by it.
     */
    LOCAL_ONLY("local_only"),
    /** Run the request at the smaller size the caller allowed ({@code routing.lower_tier_size}) when that fits. */
    LOWER_TIER("lower_tier"),
    /**
     * Accept the request and let it wait, durably, until an owned engine has room for it, the cap's period resets
     * or the cap is raised, bounded by the request's deadline and a configured longest wait. Like {@code local_only},
     * owned engines' cost is recorded against the cap but never refused by it.
     */
    QUEUE("queue");

    private final String id;

    WhenExhausted(String id) {
        this.id = id;
    }

    /** The word used in configuration, the API and the database. */
    public String id() {
        return id;
    }

    /**
     * The most restrictive of two: {@code reject} over {@code local_only} over {@code queue} (which still spends on
     * the cloud, later) over {@code lower_tier}.
     */
    public WhenExhausted stricter(WhenExhausted other) {
        return rank() >= other.rank() ? this : other;
    }

    private int rank() {
        return switch (this) {
            case REJECT -> 3;
            case LOCAL_ONLY -> 2;
            case QUEUE -> 1;
            case LOWER_TIER -> 0;
        };
    }

    /**
     * Whether a spent cap refuses owned engines' work too ({@code reject}, {@code lower_tier}); under
     * {@code local_only} and {@code queue} their cost is recorded against the cap but never refused by it.
     */
    public boolean refusesOwnedEngines() {
        return this == REJECT || this == LOWER_TIER;
    }

    /** Reads {@code reject}, {@code local_only}, {@code lower_tier} or {@code queue} (a hyphen for the underscore is accepted). */
    public static WhenExhausted parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (WhenExhausted w : values()) {
            if (w.id.equals(t)) {
                return w;
            }
        }
        throw new IllegalArgumentException("must be one of " + Arrays.stream(values()).map(WhenExhausted::id).toList()
                + ", was '" + text + "'");
    }
}
