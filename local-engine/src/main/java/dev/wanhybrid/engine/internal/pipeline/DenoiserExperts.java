package dev.wanhybrid.engine.internal.pipeline;

import dev.wanhybrid.engine.internal.dit.WanTransformer;
import java.util.function.Supplier;

/**
 * The diffusion transformer(s) a Wan 2.2 run denoises with: one model (TI2V-5B), or the A14B pair of a
 * high-noise expert for timesteps at or above the boundary and a low-noise expert below it, each with its own
 * guidance scale, as {@code WanT2V._prepare_model_for_timestep} in {@code wan/text2video.py} switches them.
 *
 * <p>With {@code resident = false} at most one expert is loaded at a time: switching closes the loaded one and
 * loads the other from its (memory-mapped) checkpoint, so device memory holds one expert. Upstream's
 * {@code offload_model} parks the idle expert in host memory instead; reloading from the page cache avoids a
 * second host copy. Since timesteps only decrease, a generation switches at most once.
 */
public final class DenoiserExperts implements AutoCloseable {

    private Supplier<WanTransformer> highLoader;
    private Supplier<WanTransformer> lowLoader;
    private final long boundary;
    private double highGuidance;
    private double lowGuidance;
    private final boolean resident;
    private WanTransformer high;
    private WanTransformer low;
    private int loads;

    private DenoiserExperts(Supplier<WanTransformer> highLoader, Supplier<WanTransformer> lowLoader, long boundary,
            double highGuidance, double lowGuidance, boolean resident) {
        this.highLoader = highLoader;
        this.lowLoader = lowLoader;
        this.boundary = boundary;
        this.highGuidance = highGuidance;
        this.lowGuidance = lowGuidance;
        this.resident = resident;
    }

    /** One already-loaded model for every timestep (TI2V-5B, Wan 2.1). */
    public static DenoiserExperts single(WanTransformer model, double guidance) {
        DenoiserExperts experts = new DenoiserExperts(() -> model, null, Long.MIN_VALUE, guidance, guidance, true);
        experts.high = model;
        return experts;
    }

    /**
     * The A14B pair.
     *
     * @param boundaryTimestep {@code boundary_ratio * num_train_timesteps} (875 for T2V-A14B): timesteps at or
     *     above it use the high-noise expert
     * @param resident keep both experts loaded; false holds one at a time
     */
    public static DenoiserExperts pair(Supplier<WanTransformer> highNoise, Supplier<WanTransformer> lowNoise,
            long boundaryTimestep, double highGuidance, double lowGuidance, boolean resident) {
        return new DenoiserExperts(highNoise, lowNoise, boundaryTimestep, highGuidance, lowGuidance, resident);
    }

    /** Whether {@code timestep} belongs to the high-noise expert. */
    public boolean isHighNoise(long timestep) {
        return lowLoader == null || timestep >= boundary;
    }

    /** The expert for {@code timestep}, loading it (and, when not resident, unloading the other) if needed. */
    public WanTransformer forTimestep(long timestep) {
        if (isHighNoise(timestep)) {
            if (high == null) {
                if (!resident && low != null) {
                    low.close();
                    low = null;
                }
                high = loadOutsideScopes(highLoader);
                loads++;
            }
            return high;
        }
        if (low == null) {
            if (!resident && high != null) {
                high.close();
                high = null;
            }
            low = loadOutsideScopes(lowLoader);
            loads++;
        }
        return low;
    }

    /**
     * Loads on a fresh thread: JavaCPP's {@code PointerScope}s are per thread, so weights loaded there are not
     * attached to (and freed with) a scope the caller happens to be in, such as one generation's.
     */
    private static WanTransformer loadOutsideScopes(Supplier<WanTransformer> loader) {
        WanTransformer[] result = new WanTransformer[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread thread = Thread.ofPlatform().name("wan-expert-loader").start(() -> {
            try {
                result[0] = loader.get();
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                // A load cannot be abandoned halfway (it would leak a model); finish it, then keep the interrupt.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    /** The guidance scale of the expert for {@code timestep}. */
    public double guidance(long timestep) {
        return isHighNoise(timestep) ? highGuidance : lowGuidance;
    }

    /** Any loaded expert (for its config), loading the high-noise one if none is. */
    public WanTransformer any() {
        return high != null ? high : low != null ? low : forTimestep(Long.MAX_VALUE);
    }

    /** One guidance scale for both experts (a request's own scale). */
    public void setGuidance(double guidance) {
        this.highGuidance = guidance;
        this.lowGuidance = guidance;
    }

    /**
     * Unloads the loaded expert(s) and loads from {@code highNoise} / {@code lowNoise} from now on (for example
     * with a LoRA merged in); {@code lowNoise} must be null exactly when this holds a single model.
     */
    public void reload(Supplier<WanTransformer> highNoise, Supplier<WanTransformer> lowNoise) {
        if ((lowNoise == null) != (lowLoader == null)) {
            throw new IllegalArgumentException("a single model and an expert pair cannot replace each other");
        }
        close();
        this.highLoader = highNoise;
        this.lowLoader = lowNoise;
    }

    /** How many expert loads happened (a single model counts none). */
    public int loads() {
        return loads;
    }

    /** How many experts are loaded now. */
    public int loaded() {
        return (high != null ? 1 : 0) + (low != null ? 1 : 0);
    }

    @Override
    public void close() {
        if (high != null) {
            high.close();
            high = null;
        }
        if (low != null) {
            low.close();
            low = null;
        }
    }
}
