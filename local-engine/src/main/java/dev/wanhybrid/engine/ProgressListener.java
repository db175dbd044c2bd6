package dev.wanhybrid.engine;

/** Receives progress during a generation; called on the generating thread, so it must be quick. */
@FunctionalInterface
public interface ProgressListener {

    /** @param percent 0..100 */
    void onProgress(int percent);

    ProgressListener NONE = percent -> {};
}
