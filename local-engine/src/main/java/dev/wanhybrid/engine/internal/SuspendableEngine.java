package dev.wanhybrid.engine.internal;

import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineOutcome;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.EngineResult;
import dev.wanhybrid.engine.HostTensor;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.SuspendedGeneration;
import dev.wanhybrid.engine.Suspension;
import dev.wanhybrid.engine.VideoEngine;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The {@link VideoEngine} entry points the Wan 2.1 and Wan 2.2 engines share: one run at a time, a fresh run
 * and a resumed one through the same {@link #run}, the plain {@code generate} as a run that never suspends.
 *
 * @param <R> the engine's checked request
 */
public abstract class SuspendableEngine<R> implements VideoEngine {

    final EngineInfo info;
    boolean closed;
    Consumer<HostTensor> finalLatents;

    SuspendableEngine(EngineInfo info) {
        this.info = info;
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public boolean suspends() {
        return true;
    }

    /** The request with the engine's defaults filled in and checked; resolving a resolved one changes nothing. */
    abstract R check(EngineRequest request) throws EngineException;

    /** Runs {@code r} from the start ({@code from} null) or from a suspended state, until done or suspended. */
    abstract EngineOutcome run(R r, SuspendedGeneration from, ProgressListener listener, Path outputMp4,
            Suspension suspension) throws EngineException, InterruptedException;

    @Override
    public synchronized EngineResult generate(EngineRequest request, ProgressListener progress, Path outputMp4)
            throws EngineException, InterruptedException {
        return generate(request, progress, outputMp4, null).result();
    }

    @Override
    public synchronized EngineOutcome generate(EngineRequest request, ProgressListener progress, Path outputMp4,
            Suspension suspension) throws EngineException, InterruptedException {
        checkOpen();
        return run(check(request), null, listener(progress), outputMp4, suspension);
    }

    /**
     * Resumes with the suspended latents, text contexts (kept rather than re-encoded: no text-encoder pass, and
     * exact whatever the encoder's determinism), image latent and sampler history as they were.
     */
    @Override
    public synchronized EngineOutcome resume(SuspendedGeneration suspended, ProgressListener progress,
            Path outputMp4, Suspension suspension) throws EngineException, InterruptedException {
        checkOpen();
        Generation.checkResumable(suspended, info);
        return run(check(suspended.request()), suspended, listener(progress), outputMp4, suspension);
    }

    /** Where the final latents of every finished run go (tests compare them); null: nowhere. */
    public synchronized void observeFinalLatents(Consumer<HostTensor> observer) {
        finalLatents = observer;
    }

    private static ProgressListener listener(ProgressListener progress) {
        return progress == null ? ProgressListener.NONE : progress;
    }

    private void checkOpen() throws EngineException {
        if (closed) {
            throw new EngineException("engine is closed", false, null);
        }
    }
}
