package dev.wanhybrid.cloud.catalog;

import java.time.LocalDate;

/**
 * Where a model stands on a given day.
 *
 * @param state whether it may be sent
 * @param availableFrom the first day it may be sent, or {@code null} (always)
 * @param retiresOn the first day it may no longer be sent, or {@code null} (no date announced)
 * @param successor the model Alibaba names to use instead, or {@code null}
 */
public record ModelLifecycle(State state, LocalDate availableFrom, LocalDate retiresOn, String successor) {

    /** The lifecycle states. */
    public enum State {
        /** Not yet offered. */
        NOT_YET_AVAILABLE,
        /** Offered, and no retirement inside the warning window. */
        ACTIVE,
        /** Offered, and retiring within the warning window. */
        RETIRING,
        /** No longer offered: never sent. */
        RETIRED
    }

    public boolean sendable() {
        return state == State.ACTIVE || state == State.RETIRING;
    }

    /** Why it cannot be sent, in a sentence naming the date and the successor. */
    public String refusal(String model) {
        return switch (state) {
            case RETIRED -> "model " + model + " was retired on " + retiresOn
                    + (successor == null ? "; no successor is configured" : "; use its successor " + successor);
            case NOT_YET_AVAILABLE -> "model " + model + " is available from " + availableFrom;
            case ACTIVE, RETIRING -> "model " + model + " is available";
        };
    }
}
