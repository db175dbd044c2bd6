package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A retired cloud model is never routed: {@code auto} leaves it out with the reason, a request that names it is
 * refused with the date and the successor, or, where configured, runs on the successor and the route says why.
 */
class RouterModelLifecycleTest {

    private static final LocalDate RETIRES = LocalDate.of(2026, 12, 6);
    private static final Instant EVE = Instant.parse("2026-12-05T23:59:59Z");
    private static final Instant AFTER = Instant.parse("2026-12-06T00:00:00Z");

    private final ModelCatalog catalog = CatalogFixtures.shippedWithCloudLifecycle("wan2.6-t2v",
            "    retires-on: " + RETIRES + "\n    successor: wan2.7-t2v\n", LocalDate.of(2026, 12, 5));
    private final Router router = new Router();

    private static RoutingContext context(ModelCatalog catalog, Instant now) {
        return new RoutingContext(catalog,
                Map.of("local", new BackendHealth("local", false, "CLOSED", "no GPU", Set.of()),
                        "cloud", BackendHealth.up("cloud")),
                LocalQueueState.IDLE, LatencyObservations.NONE, null, new HashMap<>(), now);
    }

    private static GenerationSpec spec(String model) {
        return new GenerationSpec("acme", model, TaskKind.T2V, "a lighthouse at dusk", null,
                new VideoSize(1280, 720), 10, null, null, AudioSpec.GENERATED, null, RoutingHints.NONE);
    }

    @Test
    void autoRoutingDropsTheModelFromItsRetirementDayWithTheReason() throws Exception {
        assertThat(router.decide(spec("auto"), context(catalog, EVE)).candidates())
                .extracting(RouteCandidate::model).contains("wan2.6-t2v");

        Route after = router.decide(spec("auto"), context(catalog, AFTER));

        assertThat(after.candidates()).extracting(RouteCandidate::model).doesNotContain("wan2.6-t2v")
                .contains("wan2.7-t2v");
        assertThat(after.rejected()).filteredOn(r -> r.model().equals("wan2.6-t2v")).singleElement()
                .satisfies(r -> {
                    assertThat(r.reason()).isEqualTo("model_retired");
                    assertThat(r.detail()).isEqualTo(
                            "Model wan2.6-t2v was retired on 2026-12-06; use its successor wan2.7-t2v.");
                });
    }

    @Test
    void aRequestNamingTheRetiredModelIsRefusedWithTheDateAndTheSuccessor() throws Exception {
        assertThat(router.decide(spec("wan2.6-t2v"), context(catalog, EVE)).chosen().model()).isEqualTo("wan2.6-t2v");

        NoRouteException e = catchThrowableOfType(NoRouteException.class,
                () -> router.decide(spec("wan2.6-t2v"), context(catalog, AFTER)));

        assertThat(e.httpStatus()).as("a permanent refusal, never 503").isEqualTo(400);
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.code()).isEqualTo("model_retired");
        assertThat(e.getMessage()).isEqualTo("Model wan2.6-t2v was retired on 2026-12-06; use its successor wan2.7-t2v.");
    }

    @Test
    void whereConfiguredTheSuccessorRunsAndTheRouteSaysWhy() throws Exception {
        Route route = router.decide(spec("wan2.6-t2v"), context(catalog.withSuccessors(true), AFTER));

        assertThat(route.chosen().model()).isEqualTo("wan2.7-t2v");
        assertThat(route.reason()).isEqualTo("retired_model_successor");
        assertThat(route.rejected()).filteredOn(r -> r.model().equals("wan2.6-t2v")).singleElement()
                .satisfies(r -> assertThat(r.detail()).contains("retired on 2026-12-06", "runs on wan2.7-t2v"));
    }

    @Test
    void theRouteReasonVocabularyHasTheSuccessorReason() {
        assertThat(RouteReason.valueOf("RETIRED_MODEL_SUCCESSOR").code()).isEqualTo("retired_model_successor");
    }
}
