package dev.wanhybrid.cloud;

import java.util.Locale;

/** DashScope task states, as the service and its SDK name them. */
public enum TaskStatus {
    PENDING,
    RUNNING,
    SUSPENDED,
    SUCCEEDED,
    FAILED,
    CANCELED,
    /** No such task, or older than 24 hours. */
    UNKNOWN;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED;
    }

    /** Reads a status leniently; anything unrecognised is {@link #UNKNOWN}. */
    public static TaskStatus parse(String text) {
        if (text == null) {
            return UNKNOWN;
        }
        return switch (text.strip().toUpperCase(Locale.ROOT)) {
            case "PENDING" -> PENDING;
            case "RUNNING" -> RUNNING;
            case "SUSPENDED" -> SUSPENDED;
            case "SUCCEEDED", "SUCCESS", "SUCCEED" -> SUCCEEDED;
            case "FAILED", "FAIL" -> FAILED;
            case "CANCELED", "CANCELLED" -> CANCELED;
            default -> UNKNOWN;
        };
    }
}
