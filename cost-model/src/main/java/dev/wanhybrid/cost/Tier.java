package dev.wanhybrid.cost;

import java.util.Locale;

/** A quality tier named by the short side of the frame, as DashScope prices and labels them. */
public enum Tier {
    P480("480P", 480),
    P720("720P", 720),
    P1080("1080P", 1080);

    private final String label;
    private final int shortSide;

    Tier(String label, int shortSide) {
        this.label = label;
        this.shortSide = shortSide;
    }

    public String label() {
        return label;
    }

    public int shortSide() {
        return shortSide;
    }

    /** The tier a frame of this size is billed at: the smallest tier whose short side holds it. */
    public static Tier ofSize(int width, int height) {
        int shortSide = Math.min(width, height);
        for (Tier tier : values()) {
            if (shortSide <= tier.shortSide) {
                return tier;
            }
        }
        return P1080;
    }

    /**
     * The tier labelled exactly {@code label} in any case ({@code 720P}, {@code 720p}), as catalogs name their
     * tiers; empty for any other text. Unlike {@link #parse(String)} it does not accept {@code 720} or blanks.
     */
    public static java.util.Optional<Tier> ofLabel(String label) {
        for (Tier tier : values()) {
            if (tier.label.equalsIgnoreCase(label)) {
                return java.util.Optional.of(tier);
            }
        }
        return java.util.Optional.empty();
    }

    /** Parses {@code 480P}, {@code 720p} or {@code 1080}; names the value when it is none of them. */
    public static Tier parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        for (Tier tier : values()) {
            if (tier.label.equals(t) || tier.label.equals(t + "P")) {
                return tier;
            }
        }
        throw new IllegalArgumentException("tier must be 480P, 720P or 1080P, was '" + text + "'");
    }

    @Override
    public String toString() {
        return label;
    }
}
