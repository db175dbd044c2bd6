package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HedgeGuardTest {

    @Test
    void itJudgesNothingBeforeTwentyJobsThenPausesAboveTheShareAndResumesAtHalfOfIt() {
        HedgeGuard guard = new HedgeGuard(1.5, 0.1);
        // 19 late jobs: not enough to judge.
        for (int i = 0; i < HedgeGuard.MINIMUM - 1; i++) {
            guard.routedCloudJobTook(2.0);
        }
        assertThat(guard.allowsHedging()).isTrue();
        guard.routedCloudJobTook(1.0);
        assertThat(guard.allowsHedging()).as("19 of 20 above the margin").isFalse();
        // Fast jobs push the late ones out of the 50-job window: at 5 late of 50 (10 %) it is still paused,
        // at 2 of 50 (4 %, at most half of 10 %) it resumes.
        for (int i = 0; i < 30 + 14; i++) {
            guard.routedCloudJobTook(1.0);
        }
        assertThat(guard.allowsHedging()).as("5 late of the last 50").isFalse();
        for (int i = 0; i < 2; i++) {
            guard.routedCloudJobTook(1.0);
        }
        assertThat(guard.allowsHedging()).as("3 late of the last 50: 6 %").isFalse();
        guard.routedCloudJobTook(1.0);
        assertThat(guard.allowsHedging()).as("2 late of the last 50: 4 %").isTrue();
    }

    @Test
    void aRatioAtTheMarginIsInTimeAndOneJustAboveIsLate() {
        HedgeGuard guard = new HedgeGuard(1.5, 0.5);
        for (int i = 0; i < HedgeGuard.MINIMUM; i++) {
            guard.routedCloudJobTook(1.5);
        }
        assertThat(guard.allowsHedging()).isTrue();
        for (int i = 0; i < HedgeGuard.MINIMUM + 1; i++) {
            guard.routedCloudJobTook(1.5001);
        }
        assertThat(guard.allowsHedging()).as("21 late of 41").isFalse();
    }

    /**
     * The cloud's time drawn log-normally around the plan, as the replay drew it, at the default share: at a spread
     * of 0.25 (5 % of the jobs above a margin of 1.5; the replay found hedging ahead there) hedging stays on; at 0.8
     * (31 % above) it is paused nearly all the time.
     */
    @Test
    void atTheDefaultShareACloudAsSpreadAsTheReplayDrewItKeepsHedgingOnAndAMuchWiderOnePausesIt() {
        Random random = new Random(7);
        HedgeGuard narrow = new HedgeGuard(1.5, HedgeGuard.DEFAULT_PAUSE_SHARE);
        HedgeGuard wide = new HedgeGuard(1.5, HedgeGuard.DEFAULT_PAUSE_SHARE);
        int narrowPaused = 0;
        int widePaused = 0;
        for (int i = 0; i < 5000; i++) {
            double z = random.nextGaussian();
            narrow.routedCloudJobTook(Math.exp(0.25 * z));
            wide.routedCloudJobTook(Math.exp(0.8 * z));
            narrowPaused += narrow.allowsHedging() ? 0 : 1;
            widePaused += wide.allowsHedging() ? 0 : 1;
        }
        assertThat(narrowPaused).as("jobs after which hedging was paused, spread 0.25").isZero();
        assertThat(widePaused).as("jobs after which hedging was paused, spread 0.8").isGreaterThan(4500);
    }

    @Test
    void aCloudThatTurnsThreeTimesSlowerThanItsPlanPausesHedgingWithinTwentyJobs() {
        Random random = new Random(11);
        HedgeGuard guard = new HedgeGuard(1.5, HedgeGuard.DEFAULT_PAUSE_SHARE);
        for (int i = 0; i < 200; i++) {
            guard.routedCloudJobTook(Math.exp(0.25 * random.nextGaussian()));
        }
        assertThat(guard.allowsHedging()).isTrue();
        int slowJobs = 0;
        while (guard.allowsHedging()) {
            guard.routedCloudJobTook(3 * Math.exp(0.25 * random.nextGaussian()));
            slowJobs++;
        }
        assertThat(slowJobs).isLessThanOrEqualTo(20);
    }

    @Test
    void theGaugeSaysWhetherHedgingIsOnAndABadShareFailsNamingItsKey() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        HedgeGuard guard = new HedgeGuard(1.5, 0.1).withGauge(meters);
        assertThat(meters.get("gateway.routing.hedging.active").gauge().value()).isEqualTo(1);
        for (int i = 0; i < HedgeGuard.MINIMUM; i++) {
            guard.routedCloudJobTook(3.0);
        }
        assertThat(meters.get("gateway.routing.hedging.active").gauge().value()).isZero();
        assertThatThrownBy(() -> new HedgeGuard(1.5, 0)).hasMessageStartingWith("gateway.routing.hedge-pause-share");
        assertThatThrownBy(() -> new HedgeGuard(1.5, 1.5)).hasMessageStartingWith("gateway.routing.hedge-pause-share");
    }
}
