package dev.wanhybrid.cost.config;

import dev.wanhybrid.cost.VideoJob;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The typical video a break-even question is asked about: the same clip priced on a cloud model and timed on a
 * local model, plus the volume observed and the utilization the fleet is planned at.
 *
 * @param cloudJob the clip on the cloud model whose list price is the alternative
 * @param localJob the same clip on the local model
 * @param observedPerMonth the observed (or planned) videos per month
 * @param targetUtilization the busy fraction the fleet can sustain while meeting deadlines, e.g. 0.8
 */
public record ReferenceWorkload(VideoJob cloudJob, VideoJob localJob, BigDecimal observedPerMonth,
        BigDecimal targetUtilization) {

    public ReferenceWorkload {
        Objects.requireNonNull(cloudJob, "cloudJob");
        Objects.requireNonNull(localJob, "localJob");
        Objects.requireNonNull(observedPerMonth, "observedPerMonth");
        if (targetUtilization == null || targetUtilization.signum() <= 0 || targetUtilization.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("workload.target_utilization must be in (0, 1], was " + targetUtilization);
        }
    }
}
