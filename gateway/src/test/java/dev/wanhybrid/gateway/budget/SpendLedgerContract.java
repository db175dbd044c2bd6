package dev.wanhybrid.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.cost.budget.WhenExhausted;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The ledger's behaviour, run against each database by a subclass that supplies a fresh fixture. */
abstract class SpendLedgerContract {

    /** A fresh, migrated, empty database per test. */
    abstract LedgerFixture fixture(java.time.ZoneId zone, BudgetProperties.Degrade degrade);

    LedgerFixture fixture() {
        return fixture(java.time.ZoneId.of("UTC"), new BudgetProperties.Degrade(new BigDecimal("0.10"), "prefer-local"));
    }

    private static final BigDecimal TEN_CENTS = new BigDecimal("0.10"); // wan2.2-t2v-plus, 480P, 5 s

    @Test
    void aSourcesMonthlyBudgetLimitsTheHeadroomOfThatBackendOnly() throws Exception {
        LedgerFixture f = fixture();
        JdbcBudgetCaps caps = new JdbcBudgetCaps(f.jdbc, new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(f.dataSource)), f.clock,
                f.properties, new CapCache(f.jdbc, f.clock, java.time.Duration.ofSeconds(5)),
                () -> java.util.Map.of("cloud-cn", new BigDecimal("0.50")));
        GenerationSpec spec = LedgerFixture.spec("alpha", 5, "832x480", false);
        f.ledger.reserve("settled", "alpha", "cloud-cn", "wan2.2-t2v-plus", TEN_CENTS);
        f.ledger.settle("settled", "alpha", "cloud-cn", LedgerFixture.task("settled", "wan2.2-t2v-plus", spec),
                LedgerFixture.succeededCloud(5));
        f.ledger.reserve("held", "beta", "cloud-cn", "wan2.2-t2v-plus", TEN_CENTS);
        f.ledger.reserve("elsewhere", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);

        // $0.50 less $0.10 settled and $0.10 held on cloud-cn, whichever tenant; the other sources are not limited.
        assertThat(caps.headroomUsd("gamma", "cloud-cn")).hasValueSatisfying(v -> assertThat(v)
                .isEqualByComparingTo("0.30"));
        assertThat(caps.headroomUsd("gamma", "cloud")).isEmpty();
        // Next month the source starts again.
        f.clock.set(java.time.Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(caps.headroomUsd("gamma", "cloud-cn")).hasValueSatisfying(v -> assertThat(v)
                .isEqualByComparingTo("0.50"));
    }

    @Test
    void twoHundredConcurrentSubmissionsNeverOvershootANearlyExhaustedCap() throws Exception {
        LedgerFixture f = fixture();
        f.caps.putCap(new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("10.00")));
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "beta", BudgetPeriod.MONTH, Money.usd("0.30")));
        GenerationSpec spec = LedgerFixture.spec("alpha", 5, "832x480", false);
        // $8.95 already spent today: 179 settled 5-second clips at $0.05... spent as whole $0.10 clips plus one $0.05
        for (int i = 0; i < 89; i++) {
            f.ledger.reserve("old-" + i, "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);
            f.ledger.settle("old-" + i, "alpha", "cloud", LedgerFixture.task("old-" + i, "wan2.2-t2v-plus", spec),
                    LedgerFixture.succeededCloud(5));
        }
        GenerationSpec oneSecond = LedgerFixture.spec("alpha", 5, "832x480", false);
        f.ledger.reserve("old-half", "alpha", "cloud", "wan2.5-t2v-preview", new BigDecimal("0.05"));
        f.ledger.settle("old-half", "alpha", "cloud", LedgerFixture.task("old-half", "wan2.5-t2v-preview",
                LedgerFixture.spec("alpha", 1, "832x480", true)), LedgerFixture.succeededCloud(1));
        assertThat(f.sumActual()).isEqualByComparingTo("8.95");

        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger refused = new AtomicInteger();
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String job = "job-" + i;
            String tenant = i % 2 == 0 ? "alpha" : "beta";
            results.add(pool.submit(() -> {
                start.await();
                try {
                    f.ledger.reserve(job, tenant, "cloud", "wan2.2-t2v-plus", TEN_CENTS);
                    return job + "|" + tenant;
                } catch (BudgetExceededException e) {
                    refused.incrementAndGet();
                    return null;
                }
            }));
        }
        start.countDown();
        List<String> admitted = new ArrayList<>();
        for (Future<String> r : results) {
            String ok = r.get(60, TimeUnit.SECONDS);
            if (ok != null) {
                admitted.add(ok);
            }
        }
        pool.shutdown();

        // $1.05 was left: exactly ten $0.10 clips fit, and beta may have at most three of them.
        assertThat(admitted).hasSize(10);
        assertThat(admitted.stream().filter(a -> a.endsWith("|beta")).count()).isLessThanOrEqualTo(3);
        assertThat(refused.get()).isEqualTo(190);
        assertThat(f.committed("global", "", "day", "2026-11-22")).isLessThanOrEqualTo(new BigDecimal("10.00"));

        for (String a : admitted) {
            String[] p = a.split("\\|");
            f.ledger.settle(p[0], p[1], "cloud", LedgerFixture.task(p[0], "wan2.2-t2v-plus", oneSecond),
                    LedgerFixture.succeededCloud(5));
        }
        assertThat(f.sumActual()).isEqualByComparingTo("9.95").isLessThanOrEqualTo(new BigDecimal("10.00"));
        assertThat(f.committed("global", "", "day", "2026-11-22")).isEqualByComparingTo("9.95");
    }

    @Test
    void settlingTwiceBillsOnceAndFailedOrCancelledWorkCostsNothing() throws Exception {
        LedgerFixture f = fixture();
        GenerationSpec spec = LedgerFixture.spec("alpha", 10, "1280x720", true);
        f.ledger.reserve("a", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));
        f.ledger.reserve("b", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));
        f.ledger.reserve("c", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));

        BigDecimal first = f.ledger.settle("a", "alpha", "cloud", LedgerFixture.task("a", "wan2.6-t2v", spec),
                LedgerFixture.succeededCloud(10));
        BigDecimal again = f.ledger.settle("a", "alpha", "cloud", LedgerFixture.task("a", "wan2.6-t2v", spec),
                LedgerFixture.succeededCloud(15));
        BigDecimal failed = f.ledger.settle("b", "alpha", "cloud", LedgerFixture.task("b", "wan2.6-t2v", spec),
                LedgerFixture.failed());
        f.ledger.release("c");
        f.ledger.release("c");

        assertThat(first).isEqualByComparingTo("1.00");
        assertThat(again).isEqualByComparingTo("1.00");
        assertThat(failed).isEqualByComparingTo("0");
        assertThat(f.sumActual()).isEqualByComparingTo("1.00");
        assertThat(f.committed("tenant", "alpha", "month", "2026-11")).isEqualByComparingTo("1.00");
        assertThat(f.reports.reservedUsd("alpha")).isEqualByComparingTo("0");
    }

    @Test
    void localWorkCostsMeasuredGpuSecondsAtTheMarginalRateAndCountsItsSavings() throws Exception {
        LedgerFixture f = fixture();
        GenerationSpec spec = LedgerFixture.spec("alpha", 5, "832x480", false);
        f.ledger.reserve("l", "alpha", "local", "wan2.1-t2v-1.3b", new BigDecimal("0.003"));
        assertThat(f.reports.reservedUsd("alpha")).as("held with the local margin").isEqualByComparingTo("0.0045");

        BigDecimal actual = f.ledger.settle("l", "alpha", "local", LedgerFixture.task("l", "wan2.1-t2v-1.3b", spec),
                LedgerFixture.succeededLocal(100));

        // 600 W x 1.5 for 100 s at $0.12/kWh
        assertThat(actual).isEqualByComparingTo("0.003");
        List<SpendTotals> totals = f.reports.totals(Instant.EPOCH, Instant.parse("3000-01-01T00:00:00Z"), "alpha");
        assertThat(totals).singleElement().satisfies(t -> {
            assertThat(t.backend()).isEqualTo("local");
            // the cheapest cloud clip of the same shape: wan2.2-t2v-plus 480P, 5 s
            assertThat(t.listUsd()).isEqualByComparingTo("0.10");
            assertThat(t.savingsUsd()).isEqualByComparingTo("0.097");
        });
        assertThat(f.local.throughput().correction("wan2.1-t2v-1.3b").samples()).isEqualTo(1);
    }

    @Test
    void refusalNamesTheCapWhatIsLeftAndWhenItResets() throws Exception {
        LedgerFixture f = fixture(java.time.ZoneId.of("Asia/Shanghai"), new BudgetProperties.Degrade(BigDecimal.ZERO, "none"));
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.DAY, Money.usd("1.50")));
        f.ledger.reserve("a", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));

        assertThatThrownBy(() -> f.ledger.reserve("b", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("1.00")))
                .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
                    assertThat(e.cap()).isEqualTo("tenant:alpha/day");
                    assertThat(e.remainingUsd()).isEqualByComparingTo("0.50");
                    assertThat(e.getMessage()).contains("$1.50").contains("$0.50").contains("2026-11-23 00:00 CST");
                });
        // Another tenant is not held back by alpha's cap.
        f.ledger.reserve("c", "beta", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));
    }

    @Test
    void aNewDayInTheBudgetZoneStartsAFreshDailyCap() throws Exception {
        LedgerFixture f = fixture(java.time.ZoneId.of("Asia/Shanghai"), new BudgetProperties.Degrade(BigDecimal.ZERO, "none"));
        f.caps.putCap(new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("1.00")));
        f.clock.set(Instant.parse("2026-11-22T15:30:00Z")); // 23:30 in Shanghai
        f.ledger.reserve("a", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));
        assertThatThrownBy(() -> f.ledger.reserve("b", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("0.01")))
                .isInstanceOf(BudgetExceededException.class);

        f.clock.set(Instant.parse("2026-11-22T16:00:00Z")); // midnight in Shanghai, still the 22nd in UTC

        f.ledger.reserve("b", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));
        assertThat(f.committed("global", "", "day", "2026-11-23")).isEqualByComparingTo("1.00");
    }

    @Test
    void nearACapPaidWorkSeesOnlyTheHeadroomAboveTheThresholdWhileLocalSeesAll() throws Exception {
        LedgerFixture f = fixture();
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.MONTH, Money.usd("10.00")));
        f.ledger.reserve("a", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("8.50"));

        assertThat(f.caps.headroomUsd("alpha", "cloud")).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("0.50"));
        assertThat(f.caps.headroomUsd("alpha", "local")).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("1.50"));
        assertThat(f.caps.headroomUsd("gamma", "cloud")).isEmpty();
    }

    @Test
    void aSpentLocalOnlyCapRefusesCloudWorkButRecordsOwnedEnginesWorkWithoutRefusingIt() throws Exception {
        LedgerFixture f = fixture();
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.DAY, Money.usd("0.10"),
                WhenExhausted.LOCAL_ONLY));
        f.ledger.reserve("spent", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);

        assertThatThrownBy(() -> f.ledger.reserve("more-cloud", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS))
                .isInstanceOf(BudgetExceededException.class);
        f.ledger.reserve("owned", "alpha", "local", "wan2.1-t2v-1.3b", new BigDecimal("0.004"));
        f.ledger.reserve("remote", "alpha", "gpu-box", "wan2.1-t2v-14b", new BigDecimal("0.02"));

        // Local's reservation margin is 50 %: 0.004 holds 0.006; the remote engine has none.
        assertThat(f.committed("tenant", "alpha", "day", "2026-11-22")).isEqualByComparingTo("0.126");
        assertThat(f.caps.whenExhausted("alpha")).isEqualTo(WhenExhausted.LOCAL_ONLY);
        assertThat(f.caps.allStatus()).singleElement()
                .satisfies(st -> assertThat(st.cap().whenExhausted()).isEqualTo(WhenExhausted.LOCAL_ONLY));
    }

    @Test
    void aSpentQueueCapStillRefusesCloudWorkSoAWaitingJobCanNeverOverspendButLetsOwnedEnginesRun() throws Exception {
        LedgerFixture f = fixture();
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.DAY, Money.usd("0.10"),
                WhenExhausted.QUEUE));
        f.ledger.reserve("spent", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);

        // A job leaving its wait reserves like any other: the cap refuses what would cross it.
        assertThatThrownBy(() -> f.ledger.reserve("waited", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS))
                .isInstanceOf(BudgetExceededException.class);
        f.ledger.reserve("owned", "alpha", "gpu-box", "wan2.1-t2v-14b", new BigDecimal("0.02"));

        assertThat(f.committed("tenant", "alpha", "day", "2026-11-22")).isEqualByComparingTo("0.12");
        assertThat(f.caps.whenExhausted("alpha")).isEqualTo(WhenExhausted.QUEUE);
    }

    @Test
    void aSpentRejectCapRefusesOwnedEnginesWorkToo() throws Exception {
        LedgerFixture f = fixture();
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.DAY, Money.usd("0.10")));
        f.ledger.reserve("spent", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);

        assertThatThrownBy(() -> f.ledger.reserve("owned", "alpha", "local", "wan2.1-t2v-1.3b",
                new BigDecimal("0.004"))).isInstanceOf(BudgetExceededException.class);
        assertThat(f.caps.whenExhausted("alpha")).isEqualTo(WhenExhausted.REJECT);
    }

    @Test
    void theTightestCapDecidesWhatASpentBudgetDoesAndOfEquallyTightOnesTheStrictest() throws Exception {
        LedgerFixture f = fixture();
        f.caps.putCap(new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.MONTH, Money.usd("100"),
                WhenExhausted.REJECT));
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.DAY, Money.usd("0.10"),
                WhenExhausted.LOWER_TIER));
        assertThat(f.caps.whenExhausted("alpha")).isEqualTo(WhenExhausted.LOWER_TIER);
        assertThat(f.caps.whenExhausted("beta")).isEqualTo(WhenExhausted.REJECT);

        // Both caps spent to nothing: the stricter policy holds.
        f.caps.putCap(new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.MONTH, Money.usd("0.10"),
                WhenExhausted.REJECT));
        f.ledger.reserve("spent", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);
        assertThat(f.caps.whenExhausted("alpha")).isEqualTo(WhenExhausted.REJECT);

        // Changing only the policy keeps the limit and what is committed.
        f.caps.putCap(new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.MONTH, Money.usd("0.10"),
                WhenExhausted.LOCAL_ONLY));
        assertThat(f.caps.whenExhausted("alpha")).isEqualTo(WhenExhausted.LOCAL_ONLY);
        assertThat(f.committed("global", "", "month", "2026-11")).isEqualByComparingTo("0.10");
    }

    @Test
    void reservationsOfNewJobsSkipTheLookupButNeverOvershootACapOrReserveAJobTwice() throws Exception {
        LedgerFixture f = fixture();
        f.caps.putCap(new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("0.55")));
        List<String> admitted = reserveAtOnce(100, "new-",
                job -> f.ledger.reserveNew(job, "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS));
        // $0.55: five $0.10 clips fit, a sixth would overshoot.
        assertThat(admitted).hasSize(5);
        assertThat(f.committed("global", "", "day", "2026-11-22")).isEqualByComparingTo("0.50");

        // A job that is not new after all: the insert fails and nothing more is held.
        assertThatThrownBy(() -> f.ledger.reserveNew(admitted.get(0), "alpha", "cloud", "wan2.2-t2v-plus",
                new BigDecimal("0.01"))).isInstanceOf(org.springframework.dao.DataAccessException.class);
        assertThat(f.committed("global", "", "day", "2026-11-22")).isEqualByComparingTo("0.50");
        // Without a cap the reservation joins the caller's transaction, and the same insert refuses it.
        LedgerFixture uncapped = fixture();
        uncapped.ledger.reserveNew("once", "beta", "cloud", "wan2.2-t2v-plus", TEN_CENTS);
        assertThatThrownBy(() -> uncapped.ledger.reserveNew("once", "beta", "cloud", "wan2.2-t2v-plus", TEN_CENTS))
                .isInstanceOf(org.springframework.dao.DataAccessException.class);
        assertThat(uncapped.committed("tenant", "beta", "month", "2026-11")).isEqualByComparingTo("0.10");
    }

    @Test
    void fallbackReleasesTheFirstReservationAndHoldsTheNewOne() throws Exception {
        LedgerFixture f = fixture();
        f.caps.putCap(new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("1.00")));
        f.ledger.reserve("j", "alpha", "local", "wan2.1-t2v-1.3b", new BigDecimal("0.40"));
        assertThat(f.committed("global", "", "day", "2026-11-22")).isEqualByComparingTo("0.60");

        f.ledger.release("j");
        f.ledger.reserve("j", "alpha", "cloud", "wan2.2-t2v-plus", new BigDecimal("0.10"));

        assertThat(f.committed("global", "", "day", "2026-11-22")).isEqualByComparingTo("0.10");
    }

    @Test
    void scopesWithoutACapWriteNoCounterAndReportWhatIsRecorded() throws Exception {
        LedgerFixture f = fixture();
        GenerationSpec spec = LedgerFixture.spec("alpha", 5, "832x480", false);
        f.ledger.reserve("a", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);
        f.ledger.reserve("b", "beta", "cloud", "wan2.2-t2v-plus", TEN_CENTS);
        f.ledger.settle("a", "alpha", "cloud", LedgerFixture.task("a", "wan2.2-t2v-plus", spec),
                LedgerFixture.succeededCloud(5));
        f.ledger.release("b");

        assertThat(f.counterRows()).isZero();
        assertThat(f.committed("global", "", "day", "2026-11-22")).isEqualByComparingTo("0.10");
        assertThat(f.committed("tenant", "beta", "month", "2026-11")).isEqualByComparingTo("0");
        assertThat(f.caps.headroomUsd("alpha", "cloud")).isEmpty();
    }

    @Test
    void aCapAddedMidPeriodStartsFromWhatIsAlreadyCommitted() throws Exception {
        LedgerFixture f = fixture();
        GenerationSpec spec = LedgerFixture.spec("alpha", 5, "832x480", false);
        for (int i = 0; i < 3; i++) {
            f.ledger.reserve("s" + i, "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);
            f.ledger.settle("s" + i, "alpha", "cloud", LedgerFixture.task("s" + i, "wan2.2-t2v-plus", spec),
                    LedgerFixture.succeededCloud(5));
        }
        f.ledger.reserve("held", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);
        f.ledger.reserve("other", "beta", "cloud", "wan2.2-t2v-plus", TEN_CENTS);

        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.DAY, Money.usd("0.55")));

        // 0.30 settled plus 0.10 held: 0.15 left, one more clip, not two; beta's spend is not alpha's.
        assertThat(f.committed("tenant", "alpha", "day", "2026-11-22")).isEqualByComparingTo("0.40");
        f.ledger.reserve("next", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);
        assertThatThrownBy(() -> f.ledger.reserve("over", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS))
                .isInstanceOf(BudgetExceededException.class);
        f.ledger.release("held");
        assertThat(f.committed("tenant", "alpha", "day", "2026-11-22")).isEqualByComparingTo("0.40");
    }

    @Test
    void aReplicaThatHasNotSeenANewCapIsCorrectedByReconciliation() throws Exception {
        LedgerFixture f = fixture();
        JdbcSpendLedger replica = f.replica();
        replica.reserve("before", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS); // the replica reads "no caps"

        f.caps.putCap(new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("0.35")));
        replica.reserve("stale", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS); // not counted yet
        assertThat(f.committed("global", "", "day", "2026-11-22")).isEqualByComparingTo("0.10");

        assertThat(f.ledger.reconcileCounters()).isEqualTo(1);
        assertThat(f.committed("global", "", "day", "2026-11-22")).isEqualByComparingTo("0.20");
        assertThat(f.ledger.reconcileCounters()).isZero();
        f.ledger.reserve("fits", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS);
        assertThatThrownBy(() -> f.ledger.reserve("over", "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS))
                .isInstanceOf(BudgetExceededException.class);
    }

    @Test
    void aCapSeenFromAnotherReplicaIsEnforcedWithItsCurrentLimit() throws Exception {
        LedgerFixture f = fixture();
        JdbcSpendLedger replica = f.replica();
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.MONTH, Money.usd("1.00")));
        replica.reserve("a", "alpha", "cloud", "wan2.2-t2v-plus", new BigDecimal("0.50")); // reads the cap
        // Lowered through this instance; the replica's copy still says 1.00, the reservation reads the limit itself.
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.MONTH, Money.usd("0.60")));
        assertThatThrownBy(() -> replica.reserve("b", "alpha", "cloud", "wan2.2-t2v-plus", new BigDecimal("0.20")))
                .isInstanceOfSatisfying(BudgetExceededException.class,
                        e -> assertThat(e.remainingUsd()).isEqualByComparingTo("0.10"));
        // Removed: the replica's stale copy holds nothing back.
        assertThat(f.caps.removeCap(BudgetScope.TENANT, "alpha", BudgetPeriod.MONTH)).isTrue();
        replica.reserve("c", "alpha", "cloud", "wan2.2-t2v-plus", new BigDecimal("5.00"));
        assertThat(f.counterRows()).isZero();
    }

    @Test
    void theFirstConcurrentReservationsOfANewPeriodCreateItsCounterOnceAndKeepTheCap() throws Exception {
        LedgerFixture f = fixture();
        f.caps.putCap(new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("1.00")));
        f.clock.set(Instant.parse("2026-11-23T00:00:01Z")); // a day with no counter row yet
        int admitted = reserveAtOnce(40, "new-day-",
                job -> f.ledger.reserve(job, "alpha", "cloud", "wan2.2-t2v-plus", TEN_CENTS)).size();

        assertThat(admitted).isEqualTo(10);
        assertThat(f.committed("global", "", "day", "2026-11-23")).isEqualByComparingTo("1.00");
        assertThat(LedgerSql.recorded(f.jdbc, new LedgerSql.CounterKey(BudgetScope.GLOBAL, "", BudgetPeriod.DAY,
                "2026-11-23"), null)).isEqualByComparingTo("1.00");
    }

    @Test
    void headroomIsRememberedWhileThisInstancesOwnReservationsShowAtOnce() throws Exception {
        LedgerFixture f = fixture(java.time.ZoneId.of("UTC"), new BudgetProperties.Degrade(BigDecimal.ZERO, "none"));
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "alpha", BudgetPeriod.MONTH, Money.usd("10.00")));
        assertThat(f.caps.headroomUsd("alpha", "cloud")).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("10"));

        f.ledger.reserve("mine", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));
        assertThat(f.caps.headroomUsd("alpha", "cloud")).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("9"));

        f.replica().reserve("theirs", "alpha", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));
        assertThat(f.caps.headroomUsd("alpha", "cloud")).as("another replica's, not yet")
                .hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("9"));
        f.clock.set(f.clock.instant().plusSeconds(61));
        assertThat(f.caps.headroomUsd("alpha", "cloud")).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("8"));
        assertThat(f.caps.headroomUsd("gamma", "cloud")).isEmpty();
    }

    /** One reservation of a job named by the caller. */
    private interface Reservation {
        void reserve(String job) throws BudgetExceededException;
    }

    /** Starts {@code count} reservations at once on 16 threads, of jobs {@code prefix + i}; those the ledger admitted. */
    private static List<String> reserveAtOnce(int count, String prefix, Reservation reservation) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String job = prefix + i;
            results.add(pool.submit(() -> {
                start.await();
                try {
                    reservation.reserve(job);
                    return job;
                } catch (BudgetExceededException e) {
                    return null;
                }
            }));
        }
        start.countDown();
        List<String> admitted = new ArrayList<>();
        for (Future<String> r : results) {
            String ok = r.get(60, TimeUnit.SECONDS);
            if (ok != null) {
                admitted.add(ok);
            }
        }
        pool.shutdown();
        return admitted;
    }
}
