package dev.wanhybrid.gateway.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResilientVideoBackendTest {

    /** Tiny waits, so retries do not slow the test; the backoff itself is tested as a function below. */
    private static final ResilienceProperties FAST = new ResilienceProperties(Duration.ofMillis(1), 2.0, 0.5,
            Duration.ofMillis(5), Duration.ofSeconds(30));

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ScriptedBackend raw = new ScriptedBackend();
    private final CircuitBreaker breaker = CircuitBreaker.of("cloud", CircuitBreakerConfig.custom()
            .slidingWindowSize(4).minimumNumberOfCalls(4).failureRateThreshold(50)
            .permittedNumberOfCallsInHalfOpenState(2)
            .ignoreException(ResilienceConfiguration.NOT_A_BACKEND_FAILURE).build());
    private final ResilientVideoBackend backend = new ResilientVideoBackend(raw, breaker,
            retry("cloud", ResilienceConfiguration.idempotent(FAST)),
            retry("cloud-submit", ResilienceConfiguration.submit(FAST)),
            TimeLimiter.of(TimeLimiterConfig.custom().timeoutDuration(Duration.ofMillis(300)).build()), executor);

    private static final BackendTask TASK = new BackendTask("video_1", "wan2.6-t2v",
            new GenerationSpec("acme", "wan2.6-t2v", TaskKind.T2V, "p", null, null, 5, null, null, null, null, null));

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Retry retry(String name, java.util.function.Consumer<RetryConfig.Builder> customizer) {
        RetryConfig.Builder builder = RetryConfig.custom().maxAttempts(3);
        customizer.accept(builder);
        return Retry.of(name, builder.build());
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** A backend whose answers the test scripts, counting every call that reaches it. */
    static final class ScriptedBackend implements VideoBackend {
        final Deque<Object> submitAnswers = new ArrayDeque<>();
        final Deque<Object> pollAnswers = new ArrayDeque<>();
        final Deque<Object> reconcileAnswers = new ArrayDeque<>();
        final AtomicInteger probes = new AtomicInteger();
        final AtomicInteger submits = new AtomicInteger();
        final AtomicInteger polls = new AtomicInteger();

        @Override
        public String id() {
            return "cloud";
        }

        @Override
        public BackendReadiness readiness() {
            return BackendReadiness.ready("scripted");
        }

        @Override
        public String submit(BackendTask task) throws BackendException {
            submits.incrementAndGet();
            return answer(submitAnswers.poll(), String.class);
        }

        @Override
        public TaskSnapshot poll(String taskId) throws BackendException {
            polls.incrementAndGet();
            return answer(pollAnswers.poll(), TaskSnapshot.class);
        }

        private static <T> T answer(Object next, Class<T> type) throws BackendException {
            if (next instanceof BackendException e) {
                throw e;
            }
            if (next instanceof Duration hang) {
                try {
                    Thread.sleep(hang);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }
            return type.cast(next);
        }

        @Override
        public void cancel(String taskId) {}

        @Override
        public InputStream openResult(TaskSnapshot snapshot) {
            return InputStream.nullInputStream();
        }

        @Override
        public Optional<String> reconcile(BackendTask task) throws BackendException {
            Object next = reconcileAnswers.poll();
            return next == null ? Optional.empty() : Optional.of(answer(next, String.class));
        }

        @Override
        public void probe() {
            probes.incrementAndGet();
        }
    }

    private static BackendException unavailable() {
        return new BackendException(BackendException.Kind.UNAVAILABLE, "InternalError", "500 before acceptance");
    }

    private static TaskSnapshot running() {
        return new TaskSnapshot("t-1", TaskSnapshot.State.RUNNING, 50, null, null, null, null, null);
    }

    @Test
    void forcedOpenBreakerRefusesSubmissionsWithoutCallingTheBackend() {
        breaker.transitionToForcedOpenState();

        BackendException e = catchThrowableOfType(BackendException.class, () -> backend.submit(TASK));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REFUSED);
        assertThat(e.code()).isEqualTo("breaker_open");
        assertThat(e.getMessage()).contains("FORCED_OPEN");
        assertThat(raw.submits).hasValue(0);
        assertThat(backend.readiness().ready()).as("readiness is not gated by the breaker").isTrue();
    }

    @Test
    void submissionThatTimesOutAfterSendingIsNeverRepeated() {
        raw.submitAnswers.add(Duration.ofSeconds(5));
        raw.submitAnswers.add("t-2");

        BackendException e = catchThrowableOfType(BackendException.class, () -> backend.submit(TASK));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.ACCEPTANCE_UNKNOWN);
        assertThat(raw.submits).hasValue(1);
    }

    @Test
    void submissionRefusedBeforeAcceptanceIsRetriedWithBackoff() throws Exception {
        raw.submitAnswers.add(unavailable());
        raw.submitAnswers.add(new BackendException(BackendException.Kind.THROTTLED, "Throttling", "429",
                Duration.ofMillis(20), null));
        raw.submitAnswers.add("t-3");

        assertThat(backend.submit(TASK)).isEqualTo("t-3");
        assertThat(raw.submits).hasValue(3);
    }

    @Test
    void invalidInputIsNeitherRetriedNorCountedAgainstTheBreaker() {
        for (int i = 0; i < 6; i++) {
            raw.submitAnswers.add(new BackendException(BackendException.Kind.INVALID_INPUT, "InvalidParameter",
                    "bad size"));
            assertThat(catchThrowableOfType(BackendException.class, () -> backend.submit(TASK)).kind())
                    .isEqualTo(BackendException.Kind.INVALID_INPUT);
        }
        assertThat(raw.submits).hasValue(6);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void throttlingIsNotCountedAgainstTheBreaker() {
        for (int i = 0; i < 12; i++) {
            raw.pollAnswers.add(new BackendException(BackendException.Kind.THROTTLED, "Throttling.RateQuota", "429",
                    Duration.ofMinutes(5), null));
        }
        for (int i = 0; i < 6; i++) {
            assertThat(catchThrowableOfType(BackendException.class, () -> backend.poll("t-1")).kind())
                    .isEqualTo(BackendException.Kind.THROTTLED);
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void pollThatTimesOutIsRetriedAsIdempotent() throws Exception {
        raw.pollAnswers.add(Duration.ofSeconds(5));
        raw.pollAnswers.add(running());

        assertThat(backend.poll("t-1").progress()).isEqualTo(50);
        assertThat(raw.polls).hasValue(2);
    }

    @Test
    void repeatedFailuresOpenTheBreakerAndLaterCallsFailFast() {
        for (int i = 0; i < 12; i++) {
            raw.pollAnswers.add(unavailable());
        }
        for (int i = 0; i < 4; i++) {
            catchThrowableOfType(BackendException.class, () -> backend.poll("t-1"));
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        int before = raw.polls.get();

        BackendException e = catchThrowableOfType(BackendException.class, () -> backend.submit(TASK));

        assertThat(e.code()).isEqualTo("breaker_open");
        assertThat(raw.polls.get()).isEqualTo(before);
        assertThat(raw.submits).hasValue(0);
    }

    @Test
    void backoffNeverWaitsLessThanTheBackendsRetryAfter() {
        var slow = new ResilienceProperties(Duration.ofMillis(500), 2.0, 0.5, Duration.ofSeconds(10),
                Duration.ofSeconds(30));
        var backoff = ResilienceConfiguration.backoff(slow);
        var throttled = new BackendException(BackendException.Kind.THROTTLED, "Throttling", "429",
                Duration.ofSeconds(7), null);

        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(backoff.apply(attempt, Either.left(throttled))).isGreaterThanOrEqualTo(7_000L);
            long plain = backoff.apply(attempt, Either.left(unavailable()));
            long base = 500L << (attempt - 1);
            assertThat(plain).as("jittered around %d ms", base).isBetween(base / 2, base * 3 / 2);
        }
    }

    @Test
    void retryAfterLongerThanTheLimitEndsTheCallForTheDispatcherToReschedule() {
        raw.submitAnswers.add(new BackendException(BackendException.Kind.THROTTLED, "Throttling", "429",
                Duration.ofMinutes(5), null));
        raw.submitAnswers.add("t-4");

        BackendException e = catchThrowableOfType(BackendException.class, () -> backend.submit(TASK));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.THROTTLED);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(5));
        assertThat(raw.submits).hasValue(1);
    }

    @Test
    void undecidedReconciliationsNeverReopenAHalfOpenBreakerAndProbesCloseIt() {
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        for (int i = 0; i < 40; i++) {
            raw.reconcileAnswers.add(new BackendException(BackendException.Kind.UNDECIDED, "ReconcilePending",
                    "3 unbound tasks still running"));
            BackendException e = catchThrowableOfType(BackendException.class,
                    () -> backend.reconcile(TASK, TaskClaims.NONE));
            assertThat(e.kind()).isEqualTo(BackendException.Kind.UNDECIDED);
        }
        assertThat(breaker.getState()).as("bookkeeping is no trial outcome").isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();

        BreakerProber prober = new BreakerProber(java.util.List.of(backend), Duration.ofSeconds(5));
        prober.probeHalfOpen();
        prober.probeHalfOpen();

        assertThat(raw.probes).as("each half-open round is one real call").hasValue(2);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        prober.probeHalfOpen();
        assertThat(raw.probes).as("a closed breaker is not probed").hasValue(2);
    }

    @Test
    void theProbersScheduleClosesAHalfOpenBreakerWithoutAnyJobTraffic() {
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        BreakerProber prober = new BreakerProber(java.util.List.of(backend), Duration.ofMillis(20));

        prober.start();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> breaker.getState() == CircuitBreaker.State.CLOSED);
        } finally {
            prober.stop();
        }
        assertThat(raw.probes.get()).as("the half-open trial needs its permitted calls, no more")
                .isEqualTo(breaker.getCircuitBreakerConfig().getPermittedNumberOfCallsInHalfOpenState());
        assertThat(prober.isRunning()).isFalse();
    }

    @Test
    void aReconciliationThatReallyFailsStillCountsInHalfOpenState() {
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        for (int i = 0; i < 2; i++) {
            raw.reconcileAnswers.add(new BackendException(BackendException.Kind.UNKNOWN, "InternalError", "500"));
            catchThrowableOfType(BackendException.class, () -> backend.reconcile(TASK, TaskClaims.NONE));
        }

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }
}
