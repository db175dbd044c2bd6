package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.budget.BudgetExceededException;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Where a job runs and what it holds: checked on generated routes and budget refusals (not on the few routes the
 * other tests happen to build) against the rule written out plainly.
 */
class FallbackPolicyTest {

    private static final Instant T0 = Instant.parse("2026-11-22T04:00:00Z");

    /** A ledger that refuses the models named, and remembers what it was asked. */
    static final class ScriptedLedger implements SpendLedger {
        final Set<String> refused = new HashSet<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public void reserve(String jobId, String tenant, String backend, String model, BigDecimal estimateUsd)
                throws BudgetExceededException {
            calls.add("reserve " + model);
            if (refused.contains(model)) {
                throw new BudgetExceededException("tenant:acme/day", BigDecimal.ZERO, "no budget for " + model);
            }
        }

        @Override
        public BigDecimal settle(String jobId, String tenant, String backend, BackendTask task,
                TaskSnapshot snapshot) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void release(String jobId) {
            calls.add("release " + jobId);
        }
    }

    private static List<RouteCandidate> candidates(int n) {
        List<RouteCandidate> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new RouteCandidate(i % 2 == 0 ? "local" : "cloud", "m" + i, new BigDecimal("0.0" + (i + 1)),
                    Duration.ofSeconds(60)));
        }
        return list;
    }

    @Test
    void reservesTheFirstCandidateTheBudgetAdmitsOnGeneratedRoutes() {
        Random random = new Random(20261204);
        for (int round = 0; round < 2_000; round++) {
            int n = 1 + random.nextInt(7);
            List<RouteCandidate> route = candidates(n);
            ScriptedLedger ledger = new ScriptedLedger();
            route.forEach(c -> {
                if (random.nextInt(3) == 0) {
                    ledger.refused.add(c.model());
                }
            });
            int from = random.nextInt(n + 1);

            FallbackPolicy.Pick pick = new FallbackPolicy(ledger).reserveFirst("video_x", "acme", route, from);

            // The rule, plainly: the first admitted at or after `from`; every refused one before it is recorded.
            int expected = -1;
            List<String> passedOver = new ArrayList<>();
            for (int i = from; i < n && expected < 0; i++) {
                if (ledger.refused.contains("m" + i)) {
                    passedOver.add("m" + i);
                } else {
                    expected = i;
                }
            }
            String when = "round " + round + ": " + n + " candidates from " + from + ", refused " + ledger.refused;
            assertThat(pick.index()).as(when).isEqualTo(expected);
            assertThat(pick.found()).as(when).isEqualTo(expected >= 0);
            assertThat(pick.overBudget()).as(when).extracting(RejectedCandidate::model).isEqualTo(passedOver);
            assertThat(pick.overBudget()).as(when).allSatisfy(r -> assertThat(r.reason()).isEqualTo("budget"));
            assertThat(pick.firstRefusal() == null).as(when).isEqualTo(passedOver.isEmpty());
            assertThat(ledger.calls).as("one reservation try per candidate looked at, none after the pick; " + when)
                    .hasSize(passedOver.size() + (expected >= 0 ? 1 : 0));
        }
    }

    @Test
    void movingOnReleasesTheCurrentReservationFirstAndNeverHoldsTwo() {
        List<RouteCandidate> route = candidates(3);
        ScriptedLedger ledger = new ScriptedLedger();
        ledger.refused.add("m1");
        GenerationSpec spec = new GenerationSpec("acme", "auto", TaskKind.T2V, "a prompt", null, null, 5, null, null,
                null, null, null);
        Job job = Job.accepted("video_x", spec, JobRoute.of(new Route(route, List.of(), "cheapest"), route,
                List.of()), T0);

        FallbackPolicy.Pick pick = new FallbackPolicy(ledger).reserveNext(job);

        assertThat(pick.index()).isEqualTo(2);
        assertThat(ledger.calls).containsExactly("release video_x", "reserve m1", "reserve m2");
    }

    @Test
    void aRefusedJobMovesOnWhenItHasAnUntriedCandidateOrHasWaitedLongEnough() {
        GenerationSpec spec = new GenerationSpec("acme", "auto", TaskKind.T2V, "a prompt", null, null, 5, null, null,
                null, null, null);
        FallbackPolicy policy = new FallbackPolicy(new ScriptedLedger());
        List<RouteCandidate> two = candidates(2);
        Job withNext = Job.accepted("video_a", spec, JobRoute.of(new Route(two, List.of(), "cheapest"), two,
                List.of()), T0);
        List<RouteCandidate> one = candidates(1);
        Job lastOne = Job.accepted("video_b", spec, JobRoute.of(new Route(one, List.of(), "cheapest"), one,
                List.of()), T0);
        Duration maxWait = Duration.ofMinutes(30);

        assertThat(policy.movesOn(withNext, T0, maxWait)).isTrue();
        assertThat(policy.movesOn(lastOne, T0.plus(Duration.ofMinutes(29)), maxWait)).isFalse();
        assertThat(policy.movesOn(lastOne, T0.plus(maxWait), maxWait)).isTrue();
    }
}
