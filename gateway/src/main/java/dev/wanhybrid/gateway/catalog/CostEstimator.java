package dev.wanhybrid.gateway.catalog;

import java.math.BigDecimal;

/**
 * Estimates what one clip will cost before it runs: the list price for the cloud, the marginal cost (energy) for
 * local work. {@link #FROM_CATALOG} reads the catalog's per-second prices; the gateway's bean is the
 * {@link CostModelEstimator}. (Not to be confused with the cost model's {@code BackendCostEstimator}, which prices a
 * {@code VideoJob} for the command-line tool.)
 */
@FunctionalInterface
public interface CostEstimator {

    /**
     * @param wantsAudio whether the request wants sound (some models price silent clips lower)
     * @return estimated US dollars, never negative
     */
    BigDecimal estimateUsd(CatalogModel model, ModelTier tier, int seconds, boolean wantsAudio);

    /** Price per second from the catalog times the clip length, to the micro-dollar. */
    CostEstimator FROM_CATALOG = (model, tier, seconds, wantsAudio) ->
            normalize(tier.usdPerSecond(wantsAudio).multiply(BigDecimal.valueOf(seconds)));

    /** Rounds to the micro-dollar and drops trailing zeros without going to exponent notation. */
    static BigDecimal normalize(BigDecimal usd) {
        BigDecimal stripped = usd.setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
