package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.backend.TaskSnapshot;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The hedge point's test, as the replay applies it ({@code ReplaySimulator}): a hedged local run leaves for the
 * cloud when, at its hedge point, it has not started, or its progress says it will end after its deadline. Steps
 * take equal time, so the GPU time a run has used and its progress project its end.
 */
final class Hedging {

    /** The hedge's outcome for a run that was on course at its hedge point and stays local. */
    static final String KEPT_LOCAL = "kept_local";

    private Hedging() {}

    /** The ledger entry of the GPU time a hedged job used before it left: beside the job's own entry, never it. */
    static String entryId(String jobId) {
        return jobId + ":hedge";
    }

    /**
     * Why the run must leave now, or empty when it is on course to finish by {@code deadline}.
     *
     * @param snapshot the local task at the hedge point (its GPU seconds: the time it has run so far)
     * @param deadline when the job is due; {@code null}: none, so never late
     */
    static Optional<String> lateAtHedgePoint(TaskSnapshot snapshot, Instant now, Instant deadline) {
        if (deadline == null) {
            return Optional.empty();
        }
        return switch (snapshot.state()) {
            case PENDING -> Optional.of("It had not started by its hedge point.");
            case CANCELED -> Optional.of("Its local run was stopped at its hedge point.");
            case RUNNING -> {
                Optional<Instant> end = projectedEnd(snapshot, now);
                if (end.isEmpty()) {
                    yield Optional.of("It had reported no progress by its hedge point.");
                }
                yield end.get().isAfter(deadline)
                        ? Optional.of("At " + snapshot.progress() + " % its run projects to end at " + end.get()
                                + ", after its deadline " + deadline + ".")
                        : Optional.empty();
            }
            default -> Optional.empty();
        };
    }

    /** When the run ends at its pace so far: now plus its GPU time so far times what is left over what is done. */
    static Optional<Instant> projectedEnd(TaskSnapshot snapshot, Instant now) {
        BigDecimal used = snapshot.gpuSeconds();
        int done = snapshot.progress();
        if (used == null || done <= 0) {
            return Optional.empty();
        }
        double remaining = used.doubleValue() * (100 - Math.min(done, 100)) / done;
        return Optional.of(now.plus(Duration.ofMillis(Math.round(remaining * 1000))));
    }

    /** The projection, in words, for the log. */
    static String projection(TaskSnapshot snapshot, Instant now) {
        return projectedEnd(snapshot, now).map(end -> snapshot.progress() + " % done, ends about " + end)
                .orElse(snapshot.state().name().toLowerCase(java.util.Locale.ROOT));
    }
}
