package dev.wanhybrid.cloud.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wanhybrid.cloud.Region;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;

/**
 * A dated price list for one region: per model, per tier, the price of a second of output.
 *
 * @param region the region whose prices these are
 * @param currency ISO code of the currency
 * @param effectiveFrom the first day the prices apply
 * @param models price per second by model id and tier
 * @param silent the silent price by model id and tier, for models whose audio is optional
 */
public record PriceTable(
        Region region,
        String currency,
        @JsonProperty("effective-from") LocalDate effectiveFrom,
        Map<String, Map<String, BigDecimal>> models,
        Map<String, Map<String, BigDecimal>> silent) {

    public PriceTable {
        models = models == null ? Map.of() : Map.copyOf(models);
        silent = silent == null ? Map.of() : Map.copyOf(silent);
    }
}
