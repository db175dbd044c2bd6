package dev.wanhybrid.engine.internal.vae;

/**
 * Told after each temporal chunk of a VAE decode (one latent frame); the decode checks the thread's interrupt
 * flag before every chunk, so a cancel lands within one chunk.
 */
@FunctionalInterface
public interface DecodeProgress {

    DecodeProgress NONE = (done, total) -> {};

    void chunkDecoded(int done, int total);
}
