package dev.wanhybrid.engine;

/**
 * What a suspendable generation ended with: either a finished video ({@link #result()}) or, when it was asked
 * to suspend before its last denoising step, the state to resume from ({@link #suspended()}); exactly one is set.
 */
public record EngineOutcome(EngineResult result, SuspendedGeneration suspended) {

    public EngineOutcome {
        if ((result == null) == (suspended == null)) {
            throw new IllegalArgumentException("exactly one of result and suspended must be set");
        }
    }

    public static EngineOutcome finished(EngineResult result) {
        return new EngineOutcome(result, null);
    }

    public static EngineOutcome suspended(SuspendedGeneration state) {
        return new EngineOutcome(null, state);
    }

    public boolean isSuspended() {
        return suspended != null;
    }
}
