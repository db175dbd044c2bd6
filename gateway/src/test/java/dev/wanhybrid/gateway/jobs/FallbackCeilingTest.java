package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outage: $0.10 -> $0.18 -> $0.50 across one provider's models must not happen silently. */
class FallbackCeilingTest {

    private static RouteCandidate cloud(String model, String usd) {
        return new RouteCandidate("cloud", model, new BigDecimal(usd), Duration.ofMinutes(2));
    }

    private static final List<RouteCandidate> ROUTE = List.of(cloud("wan2.1-t2v-turbo", "0.10"),
            cloud("wan2.2-t2v-plus", "0.18"), cloud("wan2.6-t2v", "0.50"));

    @Test
    void withoutMaxCostNoFallbackCostsMoreThanTheMultipleOfTheAcceptedEstimate() {
        FallbackCeiling.Trimmed trimmed = FallbackCeiling.apply(ROUTE, null, new BigDecimal("1.5"));

        assertThat(trimmed.ceilingUsd()).isEqualByComparingTo("0.15");
        assertThat(trimmed.kept()).extracting(RouteCandidate::model).containsExactly("wan2.1-t2v-turbo");
        assertThat(trimmed.cut()).extracting(RejectedCandidate::reason).containsOnly("over_cost_ceiling");
        assertThat(trimmed.cut().getFirst().detail()).contains("$0.18").contains("$0.15")
                .contains("routing.max_cost_usd");
    }

    @Test
    void aLargerMultipleKeepsWhatFitsUnderIt() {
        FallbackCeiling.Trimmed trimmed = FallbackCeiling.apply(ROUTE, null, new BigDecimal("2"));

        assertThat(trimmed.kept()).extracting(RouteCandidate::model)
                .containsExactly("wan2.1-t2v-turbo", "wan2.2-t2v-plus");
        assertThat(trimmed.cut()).extracting(RejectedCandidate::model).containsExactly("wan2.6-t2v");
    }

    @Test
    void aHedgedLocalRunKeepsItsCloudRescueAboveTheMultipleButNotAboveMaxCost() {
        RouteCandidate run = new RouteCandidate("local", "wan2.1-t2v-1.3b", new BigDecimal("0.005"),
                Duration.ofMinutes(4));
        RouteCandidate rescue = cloud("wan2.2-t2v-plus", "0.10");
        List<RouteCandidate> hedged = List.of(run, rescue, cloud("wan2.6-t2v", "0.50"));

        FallbackCeiling.Trimmed trimmed = FallbackCeiling.apply(hedged, null, new BigDecimal("3"), rescue);

        assertThat(trimmed.kept()).containsExactly(run, rescue);
        assertThat(trimmed.cut()).extracting(RejectedCandidate::model).containsExactly("wan2.6-t2v");
        assertThat(FallbackCeiling.apply(hedged, new BigDecimal("0.05"), new BigDecimal("3"), rescue).kept())
                .containsExactly(run);
    }

    @Test
    void maxCostIsTheCallersOwnCeilingAndTheOptInToADearerFallback() {
        assertThat(FallbackCeiling.apply(ROUTE, new BigDecimal("0.5"), new BigDecimal("1.5")).kept()).hasSize(3);
        FallbackCeiling.Trimmed tight = FallbackCeiling.apply(ROUTE, new BigDecimal("0.12"), new BigDecimal("10"));
        assertThat(tight.kept()).extracting(RouteCandidate::model).containsExactly("wan2.1-t2v-turbo");
        assertThat(tight.cut().getFirst().detail()).contains("routing.max_cost_usd of $0.12");
    }

    @Test
    void everyKeptCandidateIsWithinTheCeilingOnGeneratedRoutes() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(13);
        for (int i = 0; i < 2000; i++) {
            int n = 1 + random.nextInt(6);
            List<RouteCandidate> route = new java.util.ArrayList<>();
            for (int c = 0; c < n; c++) {
                route.add(cloud("m" + c, BigDecimal.valueOf(random.nextInt(1, 100_000), 5).toPlainString()));
            }
            BigDecimal multiple = BigDecimal.valueOf(random.nextInt(100, 500), 2);
            BigDecimal max = random.nextBoolean() ? null : BigDecimal.valueOf(random.nextInt(1, 100_000), 5);
            FallbackCeiling.Trimmed trimmed = FallbackCeiling.apply(route, max, multiple);
            BigDecimal ceiling = max != null ? max : route.getFirst().estimatedCostUsd().multiply(multiple);
            assertThat(trimmed.kept().getFirst()).isEqualTo(route.getFirst());
            assertThat(trimmed.kept().subList(1, trimmed.kept().size()))
                    .allSatisfy(c -> assertThat(c.estimatedCostUsd()).isLessThanOrEqualTo(ceiling));
            assertThat(trimmed.kept().size() + trimmed.cut().size()).isEqualTo(n);
        }
    }
}
