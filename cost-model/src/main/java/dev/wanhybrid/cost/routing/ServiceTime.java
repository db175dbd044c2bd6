package dev.wanhybrid.cost.routing;

/**
 * How long one local job holds a GPU: the expected figure and the pessimistic one admission plans with.
 *
 * @param expectedSeconds the throughput model's prediction, corrected by measured runs
 * @param pessimisticSeconds the prediction plus its margin ({@link ServiceTimeModel#risk()} spreads of the
 *     measured scatter); never below the expected figure
 * @param steps the run's denoising steps, of equal time: a run can be suspended only at a step boundary (branch
 *     router-preempt, {@link LocalSchedule#suspend}); 0 when unknown, for which a suspension takes effect at once
 */
public record ServiceTime(double expectedSeconds, double pessimisticSeconds, int steps) {

    public ServiceTime {
        if (!(expectedSeconds > 0) || !(pessimisticSeconds >= expectedSeconds)) {
            throw new IllegalArgumentException("service time needs 0 < expected <= pessimistic, was "
                    + expectedSeconds + " and " + pessimisticSeconds);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, was " + steps);
        }
    }

    /** A service time whose steps are not known (a suspension of it takes effect at once). */
    public ServiceTime(double expectedSeconds, double pessimisticSeconds) {
        this(expectedSeconds, pessimisticSeconds, 0);
    }

    /** The margin as a fraction of the expected time: 0.35 means the plan allows 35 % more. */
    public double margin() {
        return pessimisticSeconds / expectedSeconds - 1;
    }
}
