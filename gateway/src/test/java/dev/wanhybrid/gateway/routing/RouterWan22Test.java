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
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Routing with the local Wan 2.2 models of the shipped catalog: local image-to-video, 720p on 5B, LoRA pinning. */
class RouterWan22Test {

    private static final ModelCatalog CATALOG = CatalogFixtures.shippedWithLocalLoras(Set.of("watercolor"));
    private static final VideoSize P704 = new VideoSize(1280, 704);
    private static final URI IMAGE = URI.create("upload:uploads/job/input.png");

    private final Router router = new Router();

    private static RoutingContext context(String... localModels) {
        return new RoutingContext(CATALOG,
                Map.of("local", new BackendHealth("local", true, "CLOSED", "ready", Set.of(localModels)),
                        "cloud", BackendHealth.up("cloud")),
                LocalQueueState.IDLE, LatencyObservations.NONE, null, new HashMap<>(),
                Instant.parse("2026-11-22T04:00:00Z"));
    }

    private static GenerationSpec spec(TaskKind kind, VideoSize size, RoutingHints hints, String lora) {
        return new GenerationSpec("acme", "auto", kind, "a lighthouse at dusk", null, size, 5, null,
                kind == TaskKind.I2V ? IMAGE : null, AudioSpec.NONE, null, hints, lora);
    }

    @Test
    void imageToVideoRunsLocallyOnTi2v5bWhenItIsLoaded() throws Exception {
        Route route = router.decide(spec(TaskKind.I2V, P704, RoutingHints.NONE, null), context("wan2.2-ti2v-5b"));

        assertThat(route.chosen().backend()).isEqualTo("local");
        assertThat(route.chosen().model()).isEqualTo("wan2.2-ti2v-5b");
        assertThat(route.reason()).isEqualTo("cheapest");
    }

    @Test
    void silent720pTextToVideoRunsOn5b() throws Exception {
        Route route = router.decide(spec(TaskKind.T2V, P704, RoutingHints.NONE, null), context("wan2.2-ti2v-5b"));

        assertThat(route.chosen().model()).isEqualTo("wan2.2-ti2v-5b");
    }

    @Test
    void aLoraPinsTheRequestToTheLocalEngineAndTheRouteSaysWhy() throws Exception {
        Route route = router.decide(spec(TaskKind.T2V, P704, RoutingHints.NONE, "watercolor"),
                context("wan2.2-ti2v-5b"));

        assertThat(route.chosen().model()).isEqualTo("wan2.2-ti2v-5b");
        assertThat(route.candidates()).allMatch(c -> c.backend().equals("local"));
        assertThat(route.reason()).isEqualTo("lora_requires_local");
        assertThat(route.rejected()).filteredOn(r -> r.backend().equals("cloud"))
                .isNotEmpty()
                .allSatisfy(r -> {
                    assertThat(r.reason()).isEqualTo("lora_unsupported");
                    assertThat(r.detail()).contains("does not apply LoRAs");
                });
    }

    @Test
    void aLoraAt480pNamesTheSizeBecauseOnlyTheLoraCapable5bIsConsidered() {
        NoRouteException e = catchThrowableOfType(NoRouteException.class, () -> router.decide(
                spec(TaskKind.T2V, new VideoSize(832, 480), RoutingHints.NONE, "watercolor"),
                context("wan2.1-t2v-1.3b", "wan2.2-ti2v-5b")));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("size");
        assertThat(e.rejected()).filteredOn(r -> r.model().equals("wan2.1-t2v-1.3b"))
                .extracting(RejectedCandidate::reason).containsExactly("lora_unsupported");
    }

    @Test
    void aLoraPinnedToTheCloudIsAConflictNamingTheLora() {
        NoRouteException e = catchThrowableOfType(NoRouteException.class, () -> router.decide(
                spec(TaskKind.T2V, P704, new RoutingHints("cloud", null, null, null, false), "watercolor"),
                context("wan2.2-ti2v-5b")));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("lora");
    }

    @Test
    void aLoraNoModelHasIsABadRequestNamingTheLora() {
        NoRouteException e = catchThrowableOfType(NoRouteException.class, () -> router.decide(
                spec(TaskKind.T2V, P704, RoutingHints.NONE, "oil-paint"), context("wan2.2-ti2v-5b")));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("lora");
        assertThat(e.code()).isEqualTo("lora_unsupported");
        assertThat(e.getMessage()).contains("oil-paint");
    }
}
