package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.routing.ServiceTime;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Optional;

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

    /**
     * The dated list price per second, in USD, of a cloud model on {@code day}, where this estimator reads one;
     * settlement prices billed seconds with it so that estimate and actual come from the same list.
     */
    default Optional<BigDecimal> listPricePerSecond(String model, Tier tier, boolean wantsAudio, LocalDate day) {
        return Optional.empty();
    }

    /**
     * As {@link #listPricePerSecond(String, Tier, boolean, LocalDate)}, for the cloud source {@code backend} (the
     * default account {@code cloud} or a {@code gateway.cloud.sources[]} entry), which may pay another price.
     */
    default Optional<BigDecimal> listPricePerSecond(String backend, String model, Tier tier, boolean wantsAudio,
            LocalDate day) {
        return listPricePerSecond(model, tier, wantsAudio, day);
    }

    /**
     * A local model's service time on one GPU of the fleet for a clip of this size and length, from the throughput
     * model corrected by measured runs, with its margin; empty where this estimator has no throughput figure (the
     * router then falls back to the catalog's {@code service-time-per-second}).
     */
    default Optional<ServiceTime> localServiceTime(CatalogModel model, VideoSize size, int seconds) {
        return Optional.empty();
    }

    /** Price per second from the catalog times the clip length, to the micro-dollar. */
    CostEstimator FROM_CATALOG = (model, tier, seconds, wantsAudio) ->
            normalize(tier.usdPerSecond(wantsAudio).multiply(BigDecimal.valueOf(seconds)));

    /** Rounds to the micro-dollar and drops trailing zeros without going to exponent notation. */
    static BigDecimal normalize(BigDecimal usd) {
        BigDecimal stripped = usd.setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
