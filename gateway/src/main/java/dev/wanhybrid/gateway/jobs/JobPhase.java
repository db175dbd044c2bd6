package dev.wanhybrid.gateway.jobs;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The internal state machine of a job. Each phase maps to one public {@link JobStatus}; the dispatcher writes a
 * transition to the store before it acts on it, so a process that dies in any phase resumes from the row.
 */
public enum JobPhase {
    /** Routed and waiting for a dispatcher that serves the current candidate's backend. */
    QUEUED(JobStatus.QUEUED),
    /**
     * Accepted under a spent budget whose policy is {@code queue}: no reservation is held and no dispatcher claims
     * it; {@link BudgetQueue} routes it again when it is due, and it moves to {@link #QUEUED} once an owned engine
     * has room or the budget allows it, or fails when it has waited as long as it may.
     */
    BUDGET_QUEUED(JobStatus.QUEUED),
    /** A dispatcher is handing the task to the backend; found in this phase after a crash, it is reconciled. */
    SUBMITTING(JobStatus.QUEUED),
    /** The submission may have reached the backend but its answer was lost: reconcile, never resubmit blindly. */
    SUBMISSION_UNKNOWN(JobStatus.IN_PROGRESS),
    /** The backend accepted the task; the dispatcher polls it. */
    RUNNING(JobStatus.IN_PROGRESS),
    /** The backend finished; the result is being copied into the result store. */
    FETCHING_RESULT(JobStatus.IN_PROGRESS),
    COMPLETED(JobStatus.COMPLETED),
    FAILED(JobStatus.FAILED),
    CANCELLED(JobStatus.CANCELLED);

    private final JobStatus status;

    JobPhase(JobStatus status) {
        this.status = status;
    }

    public JobStatus status() {
        return status;
    }

    public boolean isTerminal() {
        return status.isTerminal();
    }

    /** The column form, e.g. {@code submission_unknown}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobPhase fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    /** The phases this one may move to; anything else is a programming error and is refused by the store. */
    public Set<JobPhase> successors() {
        return switch (this) {
            case QUEUED -> EnumSet.of(QUEUED, SUBMITTING, FAILED, CANCELLED);
            case BUDGET_QUEUED -> EnumSet.of(BUDGET_QUEUED, QUEUED, FAILED, CANCELLED);
            case SUBMITTING -> EnumSet.of(QUEUED, RUNNING, SUBMISSION_UNKNOWN, FAILED, CANCELLED);
            case SUBMISSION_UNKNOWN -> EnumSet.of(SUBMISSION_UNKNOWN, QUEUED, RUNNING, FAILED, CANCELLED);
            case RUNNING -> EnumSet.of(RUNNING, QUEUED, FETCHING_RESULT, FAILED, CANCELLED);
            case FETCHING_RESULT -> EnumSet.of(FETCHING_RESULT, RUNNING, COMPLETED, FAILED, CANCELLED);
            case COMPLETED, FAILED, CANCELLED -> EnumSet.noneOf(JobPhase.class);
        };
    }

    /** The phases a dispatcher works on ({@link #BUDGET_QUEUED} is {@link BudgetQueue}'s). */
    public static final Set<JobPhase> ACTIVE = EnumSet.of(QUEUED, SUBMITTING, SUBMISSION_UNKNOWN, RUNNING,
            FETCHING_RESULT);
}
