package dev.wanhybrid.engine;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

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

    private final AtomicBoolean requested = new AtomicBoolean();

    /**
     * Suspends at the next step boundary (before the next denoising step starts). One-shot: the suspension it
     * causes consumes it, so the same object handed to {@link VideoEngine#resume} does not stop again before the
     * first step unless requested again.
     */
    public void request() {
        requested.set(true);
    }

    /** Whether a request is pending (made and not yet spent by a suspension). */
    public boolean isRequested() {
        return requested.get();
    }

    /**
     * Whether the sampler stops before running step {@code step} (0-based); checked before every step. Only steps
     * that exist are asked about, so a run is never suspended after its last step. A pending {@link #request()}
     * answers true once and is then cleared.
     */
    public boolean suspendsBefore(int step) {
        return consumeRequest();
    }

    /** Whether a request is pending, clearing it: the request is spent by the suspension it causes. */
    final boolean consumeRequest() {
        return requested.get() && requested.getAndSet(false);
    }

    /**
     * A suspension that fires by itself before step {@code step} (0-based), so a run (or a resumed run that
     * starts before it) denoises at most up to there: a time slice bounded in steps. Also {@link #request()}able.
     */
    public static Suspension beforeStep(int step) {
        return new Suspension() {
            @Override
            public boolean suspendsBefore(int next) {
                return consumeRequest() || next >= step;
            }
        };
    }
}
