package dev.wanhybrid.gateway.backend;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;

/**
 * A {@link VideoBackend} wrapped in its Resilience4j decorators.
 *
 * <p>Decorator order, outermost first:
 * <ul>
 *   <li>idempotent calls ({@code poll}, {@code cancel}, {@code openResult}, {@code reconcile}):
 *       {@code Retry(CircuitBreaker(TimeLimiter(call)))}; retried on retryable backend errors and timeouts.</li>
 *   <li>{@code submit}: {@code Retry(CircuitBreaker(TimeLimiter(call)))} with a retry that only repeats failures
 *       known not to have created a task ({@link BackendException.Kind#UNAVAILABLE},
 *       {@link BackendException.Kind#THROTTLED}). A timeout after the request was sent is never retried: it surfaces
 *       as {@link BackendException.Kind#ACCEPTANCE_UNKNOWN} so the dispatcher reconciles instead.</li>
 * </ul>
 * A breaker that is {@code OPEN} or {@code FORCED_OPEN} makes every call fail fast with
 * {@link BackendException.Kind#REFUSED} and code {@code breaker_open}, so the dispatcher tries the next candidate
 * (a forced-open breaker therefore also pauses polling of that backend's tasks until it is closed again).
 * {@link #readiness()} is not decorated: it is cheap, free and must answer while the breaker is open.
 */
public final class ResilientVideoBackend implements VideoBackend {

    private static final Retry ONCE = Retry.of("probe", RetryConfig.custom().maxAttempts(1).build());

    private final VideoBackend delegate;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private final Retry submitRetry;
    private final TimeLimiter timeLimiter;
    private final ExecutorService executor;

    public ResilientVideoBackend(VideoBackend delegate, CircuitBreaker breaker, Retry retry, Retry submitRetry,
            TimeLimiter timeLimiter, ExecutorService executor) {
        this.delegate = delegate;
        this.breaker = breaker;
        this.retry = retry;
        this.submitRetry = submitRetry;
        this.timeLimiter = timeLimiter;
        this.executor = executor;
    }

    /** The undecorated backend (for health details and the local queue view). */
    public VideoBackend delegate() {
        return delegate;
    }

    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public BackendReadiness readiness() {
        return delegate.readiness();
    }

    @Override
    public Optional<java.time.Duration> unreachableLimit() {
        return delegate.unreachableLimit();
    }

    @Override
    public boolean resubmitsAtNoCost() {
        return delegate.resubmitsAtNoCost();
    }

    @Override
    public String submit(BackendTask task) throws BackendException {
        return call(submitRetry, () -> delegate.submit(task), true);
    }

    @Override
    public TaskSnapshot poll(String taskId) throws BackendException {
        return call(retry, () -> delegate.poll(taskId), false);
    }

    @Override
    public void cancel(String taskId) throws BackendException {
        call(retry, () -> {
            delegate.cancel(taskId);
            return null;
        }, false);
    }

    @Override
    public InputStream openResult(TaskSnapshot snapshot) throws IOException, BackendException {
        try {
            return call(retry, () -> delegate.openResult(snapshot), false);
        } catch (BackendException e) {
            if (e.getCause() instanceof IOException io && e.kind() == BackendException.Kind.UNKNOWN) {
                throw io;
            }
            throw e;
        }
    }

    @Override
    public Optional<String> reconcile(BackendTask task) throws BackendException {
        return call(retry, () -> delegate.reconcile(task), false);
    }

    @Override
    public Optional<String> reconcile(BackendTask task, TaskClaims claims) throws BackendException {
        return call(retry, () -> delegate.reconcile(task, claims), false);
    }

    @Override
    public void track(BackendTask task, String taskId) {
        delegate.track(task, taskId);
    }

    @Override
    public void abandon(BackendTask task) {
        delegate.abandon(task);
    }

    /**
     * The probe goes through the breaker and the time limiter but is not retried: it is the trial call that
     * closes a half-open breaker (or opens it again), so it must measure exactly one attempt.
     */
    @Override
    public void probe() throws BackendException {
        call(ONCE, () -> {
            delegate.probe();
            return null;
        }, false);
    }

    private <T> T call(Retry which, Callable<T> body, boolean submitting) throws BackendException {
        Callable<T> limited = TimeLimiter.decorateFutureSupplier(timeLimiter, () -> executor.submit(body));
        Callable<T> guarded = CircuitBreaker.decorateCallable(breaker, limited);
        Callable<T> retried = Retry.decorateCallable(which, guarded);
        try {
            return retried.call();
        } catch (BackendException e) {
            throw e;
        } catch (CallNotPermittedException e) {
            throw new BackendException(BackendException.Kind.REFUSED, "breaker_open", "The " + id()
                    + " circuit breaker is " + breaker.getState() + "; the call was not made.", null, e);
        } catch (TimeoutException e) {
            if (submitting) {
                throw new BackendException(BackendException.Kind.ACCEPTANCE_UNKNOWN, "timeout", "The " + id()
                        + " backend did not answer the submission within " + timeLimiter.getTimeLimiterConfig()
                        .getTimeoutDuration() + "; it may have accepted it.", null, e);
            }
            throw new BackendException(BackendException.Kind.UNAVAILABLE, "timeout", "The " + id()
                    + " backend did not answer within " + timeLimiter.getTimeLimiterConfig().getTimeoutDuration()
                    + ".", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(submitting ? BackendException.Kind.ACCEPTANCE_UNKNOWN
                    : BackendException.Kind.UNAVAILABLE, "interrupted", "Interrupted while calling " + id() + ".",
                    null, e);
        } catch (Exception e) {
            // An unexpected failure during a submission may have happened after sending: never claim it did not.
            throw new BackendException(submitting ? BackendException.Kind.ACCEPTANCE_UNKNOWN
                    : BackendException.Kind.UNKNOWN, "unexpected", "The " + id() + " backend failed: "
                    + e.getClass().getSimpleName(), null, e);
        }
    }
}
