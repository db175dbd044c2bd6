package dev.wanhybrid.cloud.catalog;

/** Which shape a model family's usage block has (see the catalog YAML for the fields of each). */
public enum UsageShape {
    WAN26,
    LEGACY_T2V,
    LEGACY_I2V,
    WAN21
}
