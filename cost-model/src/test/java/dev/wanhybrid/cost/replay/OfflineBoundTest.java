package dev.wanhybrid.cost.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.local.FleetCost;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalConfigLoader;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.price.DashScopePriceList;
import dev.wanhybrid.cost.price.PriceTableLoader;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OfflineBoundTest {

    private static final ZoneId UTC = ZoneId.of("UTC");

    @Test
    void edfDoesAllTheWorkThatFitsAndDropsWhatCannot() {
        // Two jobs of 100 s each in [0, 150): a machine of speed 1 does 150 s of it, of speed 2 all 200 s.
        List<OfflineBound.Window> jobs = List.of(new OfflineBound.Window(0, 150, 100), new OfflineBound.Window(0, 150, 100));

        assertThat(OfflineBound.edfThroughput(jobs, 1)).isCloseTo(150, within(1e-6));
        assertThat(OfflineBound.edfThroughput(jobs, 2)).isCloseTo(200, within(1e-6));
    }

    @Test
    void edfServesTheEarlierDeadlineFirst() {
        // A long job with a late deadline must not starve a short one due soon after it arrives.
        List<OfflineBound.Window> jobs = List.of(new OfflineBound.Window(0, 1000, 500), new OfflineBound.Window(10, 60, 50));

        assertThat(OfflineBound.edfThroughput(jobs, 1)).isCloseTo(550, within(1e-6));
    }

    @Test
    void theReachableHitRateCountsWhatOnlyTheFleetCanFinishAndNoMore() throws Exception {
        // On one H100 a 5 s 480p clip takes 96 s; the cloud needs 180 s. Three clips due in 150 s arrive together:
        // only the fleet can make them in time, and it can make one. A fourth, due in an hour, the cloud makes.
        Instant t = Instant.parse("2026-10-01T08:00:00Z");
        List<TraceJob> trace = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            trace.add(new TraceJob(t, "t2v", 832, 480, 5, false, Duration.ofSeconds(150), "t"));
        }
        trace.add(new TraceJob(t, "t2v", 832, 480, 5, false, Duration.ofHours(1), "t"));

        OfflineBound.Result bound = OfflineBound.compute(trace, catalog(1), 1, UTC);

        assertThat(bound.maxHits()).isEqualTo(2);
        assertThat(bound.maxHitRate()).isEqualByComparingTo("0.5");
        assertThat(OfflineBound.compute(trace, catalog(0), 0, UTC).maxHits()).as("no fleet").isEqualTo(1);
    }

    @Test
    void boundIsNeverAboveAnyDeadlineMeetingScheduleOnRandomSmallTraces() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 40; round++) {
            int gpus = 1 + random.nextInt(2);
            ReplayCatalog catalog = catalog(gpus);
            List<TraceJob> trace = randomTrace(random, 2, 9000);

            OfflineBound.Result bound = OfflineBound.compute(trace, catalog, gpus, UTC);
            Money best = bestNonPreemptive(trace, catalog, gpus);

            assertThat(bound.variableCost()).as("round %d", round).isLessThanOrEqualTo(best);
        }
    }

    /**
     * The bound within the margin against every non-preemptive schedule that keeps on the cloud the jobs a router
     * keeping its margin cannot run (on one H100 a 720p clip on the 14B model is predicted at 2,400 s, planned at
     * 3,240 s: deadlines between the two make it such a job). It is never below the offline bound, never above any
     * such schedule, and on some traces strictly above the offline bound.
     */
    @Test
    void boundWithinTheMarginIsNeverAboveAScheduleThatKeepsUnplannableJobsOnTheCloud() throws Exception {
        SplittableRandom random = new SplittableRandom(43);
        int tighter = 0;
        for (int round = 0; round < 40; round++) {
            int gpus = 1 + random.nextInt(2);
            ReplayCatalog catalog = catalog(gpus);
            List<TraceJob> trace = randomTrace(random, 3, 4000);
            int n = trace.size();
            double[] ones = new double[n];
            java.util.Arrays.fill(ones, 1.0);

            OfflineBound.Result plain = OfflineBound.compute(trace, catalog, gpus, UTC);
            OfflineBound.Result withinMargin = OfflineBound.computeWithinMargin(trace, catalog, gpus, UTC, ones);
            Money best = bestNonPreemptive(trace, catalog, gpus, i -> catalog.localOptions(trace.get(i)).stream()
                    .anyMatch(o -> o.time().pessimisticSeconds() <= trace.get(i).deadline().toSeconds()));

            assertThat(withinMargin.variableCost()).as("round %d", round).isGreaterThanOrEqualTo(plain.variableCost())
                    .isLessThanOrEqualTo(best);
            if (withinMargin.variableCost().compareTo(plain.variableCost()) > 0) {
                tighter++;
            }
        }
        assertThat(tighter).as("rounds where the margin keeps a job the bound runs locally").isPositive();
    }

    @Test
    void withoutGpusTheBoundIsTheAllCloudPrice() throws Exception {
        ReplayCatalog catalog = catalog(0);
        List<TraceJob> trace = List.of(new TraceJob(Instant.parse("2026-10-01T00:00:00Z"), "t2v", 832, 480, 5, false,
                Duration.ofHours(1), "t"));

        assertThat(OfflineBound.compute(trace, catalog, 0, UTC).variableCost()).isEqualTo(Money.usd("0.10"));
    }

    /** The cheapest schedule found by trying every subset to run locally and every order of it, greedily placed. */
    private static Money bestNonPreemptive(List<TraceJob> trace, ReplayCatalog catalog, int gpus) {
        return bestNonPreemptive(trace, catalog, gpus, i -> true);
    }

    /** As above, running locally only jobs {@code mayRunLocally} accepts. */
    private static Money bestNonPreemptive(List<TraceJob> trace, ReplayCatalog catalog, int gpus,
            java.util.function.IntPredicate mayRunLocally) {
        int n = trace.size();
        Money best = null;
        for (int mask = 0; mask < (1 << n); mask++) {
            List<Integer> local = new ArrayList<>();
            Money cost = Money.usd("0");
            boolean possible = true;
            for (int i = 0; i < n; i++) {
                TraceJob j = trace.get(i);
                if ((mask & (1 << i)) != 0) {
                    if (catalog.localOptions(j).isEmpty() || !mayRunLocally.test(i)) {
                        possible = false;
                        break;
                    }
                    local.add(i);
                    cost = cost.plus(catalog.localOptions(j).getFirst().marginal());
                } else {
                    cost = cost.plus(catalog.cheapestCloud(j).orElseThrow().price());
                }
            }
            if (possible && (best == null || cost.compareTo(best) < 0) && schedulable(trace, catalog, local, gpus)) {
                best = cost;
            }
        }
        return best;
    }

    private static boolean schedulable(List<TraceJob> trace, ReplayCatalog catalog, List<Integer> local, int gpus) {
        if (local.isEmpty()) {
            return true;
        }
        if (gpus == 0) {
            return false;
        }
        return permute(local, 0, order -> {
            double[] free = new double[gpus];
            Instant t0 = Instant.parse("2026-10-01T00:00:00Z");
            for (int i : order) {
                TraceJob j = trace.get(i);
                int g = 0;
                for (int k = 1; k < gpus; k++) {
                    if (free[k] < free[g]) {
                        g = k;
                    }
                }
                double release = Duration.between(t0, j.arrival()).toSeconds();
                double finish = Math.max(release, free[g]) + catalog.localOptions(j).getFirst().gpuSeconds();
                if (finish > release + j.deadline().toSeconds()) {
                    return false;
                }
                free[g] = finish;
            }
            return true;
        });
    }

    private static boolean permute(List<Integer> items, int k, java.util.function.Predicate<List<Integer>> test) {
        if (k == items.size()) {
            return test.test(items);
        }
        for (int i = k; i < items.size(); i++) {
            java.util.Collections.swap(items, k, i);
            if (permute(items, k + 1, test)) {
                return true;
            }
            java.util.Collections.swap(items, k, i);
        }
        return false;
    }

    static ReplayCatalog catalog(int gpus) throws Exception {
        LocalCostModel local = new LocalCostModel(new GpuFleet("h100", gpus, new FleetCost.Owned(Money.usd("20000"),
                new java.math.BigDecimal("4"), new java.math.BigDecimal("700"), new java.math.BigDecimal("100"),
                Money.usd("0.20"), new java.math.BigDecimal("1.2"), Money.usd("0"), Money.usd("0"))),
                LocalConfigLoader.defaultThroughput());
        Set<Tier> small = EnumSet.of(Tier.P480);
        Set<Tier> both = EnumSet.of(Tier.P480, Tier.P720);
        return new ReplayCatalog(
                List.of(new ReplayCatalog.LocalModel("wan2.1-t2v-1.3b", "t2v", small, 5),
                        new ReplayCatalog.LocalModel("wan2.1-t2v-14b", "t2v", both, 5)),
                List.of(new ReplayCatalog.CloudModel("wan2.2-t2v-plus", "t2v", Set.of(5)),
                        new ReplayCatalog.CloudModel("wan2.1-t2v-turbo", "t2v", Set.of(5)),
                        new ReplayCatalog.CloudModel("wan2.6-t2v", "t2v", Set.of(5, 10)),
                        new ReplayCatalog.CloudModel("wan2.5-t2v-preview", "t2v", Set.of(5, 10))),
                PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL),
                dev.wanhybrid.cost.routing.ServiceTimeModel.withDefaults(local), Duration.ofSeconds(36), UTC);
    }

    /**
     * Three to six 5-second clips arriving in ten minutes, in arrival order: 720p with odds {@code bigOdds - 1} in
     * {@code bigOdds}, else 480p; audio one in five; due 300 s plus up to {@code deadlineSpread} s after arrival.
     */
    private static List<TraceJob> randomTrace(SplittableRandom random, int bigOdds, int deadlineSpread) {
        List<TraceJob> trace = new ArrayList<>();
        Instant start = Instant.parse("2026-10-01T00:00:00Z");
        int n = 3 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            boolean big = random.nextInt(bigOdds) > 0;
            trace.add(new TraceJob(start.plusSeconds(random.nextInt(600)), "t2v", big ? 1280 : 832, big ? 720 : 480,
                    5, random.nextInt(5) == 0, Duration.ofSeconds(300 + random.nextInt(deadlineSpread)), "t"));
        }
        trace.sort(java.util.Comparator.comparing(TraceJob::arrival));
        return trace;
    }
}
