package dev.wanhybrid.cost.local;

import dev.wanhybrid.cost.VideoJob;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GPU-seconds per job by model, resolution, frames and steps: a published reference point per model scaled by
 * work (pixels x frames to {@code pixelExponent}, times steps) and by GPU speed, then multiplied by a correction
 * factor that follows the engine's measured runs (an exponentially weighted mean of measured/predicted).
 *
 * <p>Thread-safe: the gateway records measurements from worker threads while the router reads estimates.
 */
public final class ThroughputModel {

    /** Weight of the newest measurement in the correction factor: about the last 10 runs matter. */
    public static final double DEFAULT_LEARNING_RATE = 0.2;

    private final Map<String, ThroughputSeed> seeds;
    private final Map<String, Double> gpuSpeed;
    private final double learningRate;
    private final Map<String, Correction> corrections = new ConcurrentHashMap<>();

    /**
     * The measured/predicted ratio for one model, how many runs it rests on, and how much single runs scatter
     * around it.
     *
     * @param factor exponentially weighted mean of measured/predicted
     * @param samples measured runs
     * @param logSpread exponentially weighted standard deviation of ln(measured/predicted) around the factor; 0
     *     until two runs exist
     */
    public record Correction(double factor, long samples, double logSpread) {

        public Correction(double factor, long samples) {
            this(factor, samples, 0);
        }
    }

    /**
     * @param seeds reference points by model id
     * @param gpuSpeed relative speed by GPU type (any common unit, e.g. rtx4090 = 1.0, h100 = 2.0)
     */
    public ThroughputModel(Map<String, ThroughputSeed> seeds, Map<String, Double> gpuSpeed, double learningRate) {
        if (!(learningRate > 0 && learningRate <= 1)) {
            throw new IllegalArgumentException("learning_rate must be in (0, 1], was " + learningRate);
        }
        seeds.values().forEach(s -> requireGpu(gpuSpeed, s.gpu(), "seed of " + s.model()));
        this.seeds = Map.copyOf(seeds);
        this.gpuSpeed = Map.copyOf(gpuSpeed);
        this.learningRate = learningRate;
    }

    public Map<String, ThroughputSeed> seeds() {
        return seeds;
    }

    public Map<String, Double> gpuSpeeds() {
        return gpuSpeed;
    }

    public boolean knows(String model) {
        return seeds.containsKey(model);
    }

    public Optional<ThroughputSeed> seed(String model) {
        return Optional.ofNullable(seeds.get(model));
    }

    /** Predicted GPU-seconds for one job on one GPU of type {@code gpu}, including the learned correction. */
    public double gpuSeconds(VideoJob job, String gpu) {
        return uncorrected(job, gpu) * correction(job.model()).factor();
    }

    /** The prediction from the reference point alone, before any measured correction. */
    public double uncorrected(VideoJob job, String gpu) {
        ThroughputSeed seed = seedOf(job);
        double targetSpeed = requireGpu(gpuSpeed, gpu, "fleet");
        int steps = steps(job, seed);
        double work = (double) job.width() * job.height() * seed.framesFor(job.seconds());
        double refWork = (double) seed.width() * seed.height() * seed.frames();
        return seed.gpuSeconds()
                * Math.pow(work / refWork, seed.pixelExponent())
                * ((double) steps / seed.steps())
                * (gpuSpeed.get(seed.gpu()) / targetSpeed);
    }

    /** The denoising steps one job runs: its own, or the model's default when it gives none. */
    public int steps(VideoJob job) {
        return steps(job, seedOf(job));
    }

    private static int steps(VideoJob job, ThroughputSeed seed) {
        return job.steps() > 0 ? job.steps() : seed.defaultSteps();
    }

    private ThroughputSeed seedOf(VideoJob job) {
        ThroughputSeed seed = seeds.get(job.model());
        if (seed == null) {
            throw new IllegalArgumentException("no throughput figure for local model '" + job.model() + "'");
        }
        return seed;
    }

    /** Feeds one measured run back: the correction for the job's model moves toward measured/predicted. */
    public void recordMeasured(VideoJob job, String gpu, double measuredGpuSeconds) {
        if (!(measuredGpuSeconds > 0)) {
            return; // a failed run that did no work says nothing about speed
        }
        double ratio = measuredGpuSeconds / uncorrected(job, gpu);
        corrections.merge(job.model(), new Correction(ratio, 1), (old, fresh) -> {
            double deviation = Math.log(fresh.factor() / old.factor());
            double variance = old.samples() < 2 ? deviation * deviation
                    : (1 - learningRate) * old.logSpread() * old.logSpread() + learningRate * deviation * deviation;
            return new Correction(old.factor() + learningRate * (fresh.factor() - old.factor()), old.samples() + 1,
                    Math.sqrt(variance));
        });
    }

    public Correction correction(String model) {
        return corrections.getOrDefault(model, new Correction(1.0, 0));
    }

    private static double requireGpu(Map<String, Double> speeds, String gpu, String where) {
        Double speed = speeds.get(gpu);
        if (speed == null || !(speed > 0)) {
            throw new IllegalArgumentException(where + ": unknown GPU type '" + gpu + "', known: " + speeds.keySet());
        }
        return speed;
    }
}
