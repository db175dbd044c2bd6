package dev.wanhybrid.cost.routing;

import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.local.ThroughputModel;
import java.util.Objects;

/**
 * Local service time from the throughput model (model, size, frames, steps), corrected by the engine's measured
 * runs, with a margin: the prediction times {@code exp(risk x spread)}, where the spread is the measured scatter of
 * ln(measured/predicted) once {@link #MIN_SAMPLES} runs exist and {@code priorSpread} before that.
 *
 * <p>{@code risk} is the one setting that trades cost against deadline risk: 0 plans with the bare prediction
 * (more work goes local, more deadlines are missed when runs overrun), 2 plans for a run about two spreads slower
 * than predicted (about 1 run in 40 overruns its plan).
 */
public final class ServiceTimeModel {

    /** Runs of one model before its measured scatter replaces the prior spread. */
    public static final int MIN_SAMPLES = 5;

    /** The default risk setting: margins of two spreads. */
    public static final double DEFAULT_RISK = 2.0;

    /** The default prior spread of ln(measured/predicted): 15 %. */
    public static final double DEFAULT_PRIOR_SPREAD = 0.15;

    private final LocalCostModel local;
    private final double risk;
    private final double priorSpread;

    public ServiceTimeModel(LocalCostModel local, double risk, double priorSpread) {
        this.local = Objects.requireNonNull(local, "local");
        if (!(risk >= 0 && risk <= 5)) {
            throw new IllegalArgumentException("risk must be between 0 and 5, was " + risk);
        }
        if (!(priorSpread >= 0 && priorSpread < 2)) {
            throw new IllegalArgumentException("prior spread must be between 0 and 2, was " + priorSpread);
        }
        this.risk = risk;
        this.priorSpread = priorSpread;
    }

    public static ServiceTimeModel withDefaults(LocalCostModel local) {
        return new ServiceTimeModel(local, DEFAULT_RISK, DEFAULT_PRIOR_SPREAD);
    }

    public LocalCostModel local() {
        return local;
    }

    public double risk() {
        return risk;
    }

    public boolean knows(String model) {
        return local.throughput().knows(model);
    }

    /**
     * The service time of one silent clip on one GPU of the fleet, at the model's default steps (which it carries:
     * a run can be suspended only at a step boundary).
     */
    public ServiceTime estimate(String model, int width, int height, int seconds) {
        VideoJob job = VideoJob.of(model, width, height, seconds, false);
        double expected = local.gpuSeconds(job);
        return new ServiceTime(expected, expected * Math.exp(risk * spread(model)), local.throughput().steps(job));
    }

    /** The scatter used for this model's margin: measured once there are enough runs, the prior before. */
    public double spread(String model) {
        ThroughputModel.Correction c = local.throughput().correction(model);
        return c.samples() >= MIN_SAMPLES ? c.logSpread() : priorSpread;
    }
}
