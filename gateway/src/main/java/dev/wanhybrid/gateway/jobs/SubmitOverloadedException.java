package dev.wanhybrid.gateway.jobs;

import java.time.Duration;

/**
 * A submission refused at once because as many as {@code gateway.submit.max-in-flight} are already under way: the
 * gateway sheds load instead of queueing callers behind its store's connection pool. Retrying after
 * {@link #retryAfter()} can succeed; {@link CreateRefusals} answers it with 503 and {@code Retry-After}.
 */
public class SubmitOverloadedException extends RuntimeException {

    private final Duration retryAfter;

    public SubmitOverloadedException(Duration retryAfter) {
        super("The gateway is accepting as many video requests as it can handle at once; retry after "
                + Math.max(1, retryAfter.toSeconds()) + " s.", null, false, false);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
