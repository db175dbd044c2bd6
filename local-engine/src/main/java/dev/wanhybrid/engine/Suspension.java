package dev.wanhybrid.engine;

import java.nio.file.Path;

/**
 * Asks a running {@link VideoEngine#generate(EngineRequest, ProgressListener, Path, Suspension)} (or
 * {@link VideoEngine#resume}) to stop at the next denoising-step boundary and hand back a
 * {@link SuspendedGeneration} instead of a video. Thread-safe: another thread calls {@link #request()} while
 * the generating thread runs. A request that arrives after the last denoising step changes nothing: the video
 * is decoded and written as usual.
 */
public class Suspension {

    /** Never suspends (the plain {@code generate}). */
    public static final Suspension NEVER = new Suspension() {
        @Override
        public void request() {
            throw new UnsupportedOperationException("Suspension.NEVER cannot be requested");
        }
    };

    private volatile boolean requested;

    /** Suspends at the next step boundary (before the next denoising step starts). */
    public void request() {
        requested = true;
    }

    public boolean isRequested() {
        return requested;
    }

    /**
     * Whether the sampler stops before running step {@code step} (0-based) of {@code steps}; checked before
     * every step. Only steps that exist are asked about, so a run is never suspended after its last step.
     */
    public boolean suspendsBefore(int step, int steps) {
        return requested;
    }

    /**
     * A suspension that fires by itself before step {@code step} (0-based), so a run (or a resumed run that
     * starts before it) denoises at most up to there: a time slice bounded in steps. Also {@link #request()}able.
     */
    public static Suspension beforeStep(int step) {
        return new Suspension() {
            @Override
            public boolean suspendsBefore(int next, int steps) {
                return next >= step || isRequested();
            }
        };
    }
}
