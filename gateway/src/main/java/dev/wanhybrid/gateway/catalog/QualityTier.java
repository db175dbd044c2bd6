package dev.wanhybrid.gateway.catalog;

/** A coarse, ordered quality grade; the router prefers the higher tier when cost and time tie. */
public enum QualityTier {
    DRAFT,
    STANDARD,
    HIGH,
    PREMIUM
}
