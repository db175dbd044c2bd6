package dev.wanhybrid.gateway.jobs;

import java.util.Locale;

/** The public status of a video job, as the OpenAI Videos API names it (plus {@code cancelled}). */
public enum JobStatus {
    QUEUED,
    IN_PROGRESS,
    COMPLETED,
    FAILED,
    CANCELLED;

    /** The wire and column form, e.g. {@code in_progress}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    public static JobStatus fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
