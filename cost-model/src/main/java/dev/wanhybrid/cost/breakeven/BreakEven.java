package dev.wanhybrid.cost.breakeven;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.breakeven.Recommendation.Action;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Owning versus renting: the monthly volume at which a fleet's fixed cost is paid back by what it saves per
 * video ({@code fixed / (api price - marginal)}), the cost of either at any volume, and advice for an observed
 * volume. Work beyond the fleet's capacity is taken to overflow to the API.
 */
public final class BreakEven {

    private static final BigDecimal TWELVE = BigDecimal.valueOf(12);
    private static final BigDecimal DAYS_PER_YEAR = BigDecimal.valueOf(365);

    private BreakEven() {}

    public static BreakEvenResult analyze(BreakEvenInputs in) {
        Money saving = in.apiPerVideo().minus(in.marginalPerVideo());
        Money fixedPerYear = in.fixedPerMonth().times(TWELVE);
        Optional<BigDecimal> perMonth = volume(in);
        // Per year from the yearly figures directly, so that 170,000 / 0.10 reads 1,700,000 and not 12 x 141,667.
        Optional<BigDecimal> exactPerYear = perMonth.map(v -> fixedPerYear.amount().divide(saving.amount(), 6, RoundingMode.HALF_EVEN));
        Optional<BigDecimal> perYear = exactPerYear.map(v -> v.setScale(0, RoundingMode.CEILING));
        Optional<BigDecimal> perDay = exactPerYear.map(v -> v.divide(DAYS_PER_YEAR, 0, RoundingMode.CEILING));
        boolean within = perMonth.isPresent() && perMonth.get().compareTo(in.capacityPerMonth()) <= 0;
        return new BreakEvenResult(perMonth, perYear, perDay, in.capacityPerMonth(), within, fixedPerYear, saving);
    }

    /** Videos per month at which owning equals renting, rounded up; empty when local is never cheaper per video. */
    public static Optional<BigDecimal> volume(BreakEvenInputs in) {
        Money saving = in.apiPerVideo().minus(in.marginalPerVideo());
        if (!saving.isPositive()) {
            return Optional.empty();
        }
        return Optional.of(in.fixedPerMonth().amount().divide(saving.amount(), 0, RoundingMode.CEILING));
    }

    /** Monthly cost with everything on the API. */
    public static Money apiCost(BreakEvenInputs in, BigDecimal videosPerMonth) {
        return in.apiPerVideo().times(videosPerMonth);
    }

    /** Monthly cost with the fleet busy up to its capacity and the rest on the API. */
    public static Money ownedCost(BreakEvenInputs in, BigDecimal videosPerMonth) {
        BigDecimal local = videosPerMonth.min(in.capacityPerMonth());
        BigDecimal overflow = videosPerMonth.subtract(local);
        return in.fixedPerMonth().plus(in.marginalPerVideo().times(local)).plus(in.apiPerVideo().times(overflow));
    }

    /**
     * The advice for an observed volume. Each GPU is taken to carry an equal share of the fixed cost and the
     * capacity; a GPU is worth having when the videos it would take from the API save more than its share.
     */
    public static Recommendation recommend(BreakEvenInputs in, BigDecimal observedPerMonth) {
        Money apiOnly = apiCost(in, observedPerMonth);
        Money hybrid = in.gpus() == 0 ? apiOnly : ownedCost(in, observedPerMonth);
        // The per-GPU part of the fixed cost scales with the fleet; staff and overhead stay until the last GPU goes.
        int best = bestGpuCount(in, observedPerMonth);
        Money bestCost = best == 0 ? apiOnly : ownedCost(in.withGpus(best), observedPerMonth);
        Action action;
        String why;
        if (best == 0 && in.gpus() == 0) {
            action = Action.STAY_ON_API;
            why = "At " + observedPerMonth.toPlainString() + " videos/month the API costs " + apiOnly.rounded()
                    + " a month, less than one GPU's fixed cost would be paid back; stay on the API.";
        } else if (best == 0) {
            action = Action.STAY_ON_API;
            why = "At " + observedPerMonth.toPlainString() + " videos/month the fleet costs " + hybrid.rounded() + " against "
                    + apiOnly.rounded() + " on the API alone; the GPUs do not pay for themselves.";
        } else if (in.gpus() == 0) {
            action = Action.SELF_HOST;
            why = "Self-host with " + best + " GPUs: " + bestCost.rounded() + " a month against " + apiOnly.rounded()
                    + " on the API.";
        } else if (best > in.gpus()) {
            action = Action.ADD_GPUS;
            why = "Add " + (best - in.gpus()) + " GPUs: the fleet is full and the overflow on the API costs more than"
                    + " the extra GPUs; " + bestCost.rounded() + " a month instead of " + hybrid.rounded() + ".";
        } else if (best < in.gpus()) {
            action = Action.REMOVE_GPUS;
            why = "Remove " + (in.gpus() - best) + " GPUs: they stand idle too long to pay back their fixed cost; "
                    + bestCost.rounded() + " a month instead of " + hybrid.rounded() + ".";
        } else {
            action = Action.KEEP_FLEET;
            why = "Keep the " + in.gpus() + " GPUs: " + hybrid.rounded() + " a month against " + apiOnly.rounded()
                    + " on the API alone.";
        }
        return new Recommendation(action, in.gpus(), best, observedPerMonth, apiOnly, hybrid, bestCost, why);
    }

    static int bestGpuCount(BreakEvenInputs in, BigDecimal observedPerMonth) {
        if (in.capacityPerGpuPerMonth().signum() == 0) {
            return 0;
        }
        // Cost is convex in the fleet size beyond the shared fixed part, so trying every size up to the one
        // that holds the whole volume finds the cheapest; the bound keeps absurd inputs from looping long.
        int most = observedPerMonth.divide(in.capacityPerGpuPerMonth(), 0, RoundingMode.CEILING)
                .min(BigDecimal.valueOf(100_000)).intValue();
        int best = 0;
        Money bestCost = apiCost(in, observedPerMonth);
        for (int n = 1; n <= most; n++) {
            Money cost = ownedCost(in.withGpus(n), observedPerMonth);
            if (cost.compareTo(bestCost) < 0) {
                best = n;
                bestCost = cost;
            }
        }
        return best;
    }

    /**
     * Break-even volume as the API price, the fleet's utilization and its size change, one input at a time.
     *
     * @param priceFactors multipliers of the API price, e.g. 0.5, 1, 1.5
     * @param utilizations target utilizations, e.g. 0.5, 0.8; capacity scales with them
     * @param baseUtilization the utilization {@code in.capacityPerMonth()} was computed at
     * @param gpuCounts fleet sizes
     */
    public static List<SensitivityRow> sensitivity(BreakEvenInputs in, List<BigDecimal> priceFactors,
            List<BigDecimal> utilizations, BigDecimal baseUtilization, List<Integer> gpuCounts) {
        List<SensitivityRow> rows = new ArrayList<>();
        for (BigDecimal f : priceFactors) {
            BreakEvenInputs v = in.withApiPrice(in.apiPerVideo().times(f));
            rows.add(new SensitivityRow("api_price", v.apiPerVideo().withScale(4).toString(), volume(v),
                    v.capacityPerMonth()));
        }
        for (BigDecimal u : utilizations) {
            BreakEvenInputs v = in.withCapacityPerGpu(
                    in.capacityPerGpuPerMonth().multiply(u).divide(baseUtilization, 6, RoundingMode.HALF_EVEN));
            rows.add(new SensitivityRow("utilization", u.toPlainString(), volume(v), v.capacityPerMonth()));
        }
        if (in.gpus() > 0) {
            for (int g : gpuCounts) {
                BreakEvenInputs v = in.withGpus(g);
                rows.add(new SensitivityRow("gpus", Integer.toString(g), volume(v), v.capacityPerMonth()));
            }
        }
        return rows;
    }
}
