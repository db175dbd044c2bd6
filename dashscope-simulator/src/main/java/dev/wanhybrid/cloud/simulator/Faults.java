package dev.wanhybrid.cloud.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The faults the simulator injects, changed at run time by tests or over its control API
 * ({@code POST /sim/faults}). Every setting is independent; {@link #clear()} turns all of them off.
 */
public final class Faults {

    private volatile double errorRate;
    private volatile String errorCode = "InternalError";
    private volatile Duration latency = Duration.ZERO;
    private volatile Instant outageFrom;
    private volatile Instant outageUntil;
    private volatile boolean throttleAll;
    private volatile Duration retryAfter;
    private volatile double stuckRate;
    private volatile double moderationFailureRate;
    private volatile Set<String> blockedWords = Set.of();
    private final AtomicInteger loseCreateResponses = new AtomicInteger();

    /** Answers this share of API requests (0..1) with a 500 carrying {@code code}. */
    public Faults errorRate(double rate, String code) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("errorRate must be within [0, 1], was " + rate);
        }
        this.errorRate = rate;
        this.errorCode = code == null ? "InternalError" : code;
        return this;
    }

    /** Delays every API answer by this much wall-clock time. */
    public Faults latency(Duration value) {
        this.latency = value == null ? Duration.ZERO : value;
        return this;
    }

    /** Answers every API request with 503 while the simulator's clock is in {@code [from, until)}. */
    public Faults outage(Instant from, Instant until) {
        this.outageFrom = from;
        this.outageUntil = until;
        return this;
    }

    /** Answers every API request with 429 {@code Throttling.RateQuota} until turned off. */
    public Faults throttleAll(boolean on) {
        this.throttleAll = on;
        return this;
    }

    /** The Retry-After the simulator sends with its 429s, or {@code null} for none (Alibaba sends none). */
    public Faults retryAfter(Duration value) {
        this.retryAfter = value;
        return this;
    }

    /** This share of new tasks (0..1) never leaves RUNNING. */
    public Faults stuckRate(double rate) {
        this.stuckRate = rate;
        return this;
    }

    /** This share of new tasks (0..1) ends FAILED with {@code DataInspectionFailed} (output moderation). */
    public Faults moderationFailureRate(double rate) {
        this.moderationFailureRate = rate;
        return this;
    }

    /** Prompts containing any of these words are refused at create with 400 {@code DataInspectionFailed}. */
    public Faults blockedWords(Set<String> words) {
        this.blockedWords = words == null ? Set.of() : Set.copyOf(words);
        return this;
    }

    /** The next {@code n} accepted creates create their task, then drop the connection without answering. */
    public Faults loseCreateResponses(int n) {
        this.loseCreateResponses.set(n);
        return this;
    }

    /** Turns every fault off. */
    public Faults clear() {
        errorRate = 0;
        errorCode = "InternalError";
        latency = Duration.ZERO;
        outageFrom = null;
        outageUntil = null;
        throttleAll = false;
        retryAfter = null;
        stuckRate = 0;
        moderationFailureRate = 0;
        blockedWords = Set.of();
        loseCreateResponses.set(0);
        return this;
    }

    boolean inOutage(Instant now) {
        Instant from = outageFrom;
        Instant until = outageUntil;
        return from != null && !now.isBefore(from) && (until == null || now.isBefore(until));
    }

    boolean randomError() {
        return errorRate > 0 && ThreadLocalRandom.current().nextDouble() < errorRate;
    }

    String errorCode() {
        return errorCode;
    }

    Duration latency() {
        return latency;
    }

    boolean throttleAll() {
        return throttleAll;
    }

    Duration retryAfter() {
        return retryAfter;
    }

    boolean nextStuck() {
        return stuckRate > 0 && ThreadLocalRandom.current().nextDouble() < stuckRate;
    }

    boolean nextModerationFailure() {
        return moderationFailureRate > 0 && ThreadLocalRandom.current().nextDouble() < moderationFailureRate;
    }

    String blockedWordIn(String text) {
        if (text == null) {
            return null;
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        return blockedWords.stream().filter(w -> lower.contains(w.toLowerCase(java.util.Locale.ROOT)))
                .findFirst().orElse(null);
    }

    boolean takeLostCreateResponse() {
        return loseCreateResponses.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }
}
