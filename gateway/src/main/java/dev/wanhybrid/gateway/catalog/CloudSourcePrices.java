package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.price.CloudPrice;
import dev.wanhybrid.cost.price.CloudPriceTable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Currency;
import java.util.List;
import java.util.Optional;

/**
 * What one DashScope source (an account in a region: the default {@code cloud}, or a {@code gateway.cloud.sources[]}
 * entry such as {@code cloud-cn}) pays per second, in USD: the account's own price line in force on the day (contract
 * prices, discounts), else its region's dated list price; a price in CNY (the mainland list) is converted with the
 * source's configured {@code usd-per-cny}, and without a rate it is not used (the catalog's USD price answers).
 *
 * @param backend the source's backend id
 * @param region the region whose list prices it
 * @param accountPrices the account's own price lines, or {@code null}
 * @param usdPerCny US dollars per yuan, or {@code null} when no rate is configured
 */
public record CloudSourcePrices(String backend, Region region, CloudPriceTable accountPrices, BigDecimal usdPerCny) {

    private static final Currency CNY = Currency.getInstance("CNY");

    /** The configured sources besides the default one (published by the cloud backend's configuration). */
    @FunctionalInterface
    public interface Configured {
        List<CloudSourcePrices> sources();
    }

    /**
     * Reads an account's price lines (the cost model's price-list format) from {@code path}; {@code null} for a blank
     * path. A file that cannot be read or parsed fails start-up, naming {@code key}.
     */
    public static CloudPriceTable loadAccountPrices(String key, String path) {
        if (path == null || path.isBlank()) {
            return null;
        }
        try {
            return dev.wanhybrid.cost.price.PriceTableLoader.load(java.nio.file.Path.of(path));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalStateException(key + " (" + path + "): " + e.getMessage(), e);
        }
    }

    /**
     * The USD price per second in force on {@code day} for this model, tier and sound, if the account's lines or the
     * region's list has one in a currency this source can convert.
     */
    public Optional<BigDecimal> usdPerSecond(dev.wanhybrid.cloud.catalog.ModelCatalog cloud, String model, Tier tier,
            boolean wantsAudio, LocalDate day) {
        Optional<CloudPrice> account = accountPrices == null ? Optional.empty()
                : cloud.price(accountPrices, model, tier, wantsAudio, day);
        return account
                .or(() -> cloud.price(model, region, tier, wantsAudio, day))
                // A model whose output always has sound has no separate silent price.
                .or(() -> cloud.price(model, region, tier, true, day))
                .flatMap(p -> inUsd(p.perSecond()));
    }

    /** The amount in USD: as it is, or converted from CNY at the configured rate. */
    public Optional<BigDecimal> inUsd(Money price) {
        if (Money.USD.equals(price.currency())) {
            return Optional.of(price.amount());
        }
        if (CNY.equals(price.currency()) && usdPerCny != null) {
            return Optional.of(price.amount().multiply(usdPerCny));
        }
        return Optional.empty();
    }
}
