package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.tracking.ConcurrencyLimits;
import dev.wanhybrid.cloud.tracking.PacedRateLimiter;
import dev.wanhybrid.cloud.tracking.RatePacer;
import dev.wanhybrid.cloud.tracking.TaskSlots;
import java.util.Map;

/**
 * Where a DashScope account's limits are counted: its task query rate, each model's create rate and each model's
 * task slots. {@link #IN_PROCESS} counts them in this process; {@link SharedCloudLimits} in the PostgreSQL that all
 * replicas share, so that N replicas on one account stay within its limits once, not N times. A cloud backend is
 * one account, so its id keys the account's limits.
 */
public interface CloudLimits {

    /** Each process paces and counts on its own (one instance, or the embedded H2 store). */
    CloudLimits IN_PROCESS = new CloudLimits() {
        @Override
        public RatePacer queries(String backend, double perSecond) {
            return new PacedRateLimiter(perSecond);
        }

        @Override
        public RatePacer creates(String backend, String model, double perSecond) {
            return new PacedRateLimiter(perSecond);
        }

        @Override
        public TaskSlots slots(String backend, Map<String, Integer> limitsByModel) {
            return new ConcurrencyLimits(limitsByModel);
        }

        @Override
        public String toString() {
            return "in this process";
        }
    };

    /** The pace of the account's task queries. */
    RatePacer queries(String backend, double perSecond);

    /** The pace of the account's creates of one model. */
    RatePacer creates(String backend, String model, double perSecond);

    /** The account's task slots, with each model's limit. */
    TaskSlots slots(String backend, Map<String, Integer> limitsByModel);
}
