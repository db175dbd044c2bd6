package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/**
 * One resolution tier of a catalog model: its sizes, its price per output second and its typical service time.
 *
 * @param name {@code 480p}, {@code 720p} or {@code 1080p}
 * @param sizes the concrete frame sizes of the tier
 * @param usdPerSecond price (cloud list price) or marginal cost (local) per second of output, USD
 * @param silentUsdPerSecond the price for a silent clip when it differs, else {@code null}
 * @param serviceTimePerSecond typical generation time per second of output, without queueing
 */
public record ModelTier(String name, List<VideoSize> sizes, BigDecimal usdPerSecond, BigDecimal silentUsdPerSecond,
        Duration serviceTimePerSecond) {

    public ModelTier {
        sizes = List.copyOf(sizes);
    }

    /** The price per second for a request that does or does not want sound. */
    public BigDecimal usdPerSecond(boolean wantsAudio) {
        return !wantsAudio && silentUsdPerSecond != null ? silentUsdPerSecond : usdPerSecond;
    }
}
