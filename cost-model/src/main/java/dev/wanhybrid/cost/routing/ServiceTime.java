package dev.wanhybrid.cost.routing;

/**
 * How long one local job holds a GPU: the expected figure and the pessimistic one admission plans with.
 *
 * @param expectedSeconds the throughput model's prediction, corrected by measured runs
 * @param pessimisticSeconds the prediction plus its margin ({@link ServiceTimeModel#risk()} spreads of the
 *     measured scatter); never below the expected figure
 */
public record ServiceTime(double expectedSeconds, double pessimisticSeconds) {

    public ServiceTime {
        if (!(expectedSeconds > 0) || !(pessimisticSeconds >= expectedSeconds)) {
            throw new IllegalArgumentException("service time needs 0 < expected <= pessimistic, was "
                    + expectedSeconds + " and " + pessimisticSeconds);
        }
    }

    /** The margin as a fraction of the expected time: 0.35 means the plan allows 35 % more. */
    public double margin() {
        return pessimisticSeconds / expectedSeconds - 1;
    }
}
