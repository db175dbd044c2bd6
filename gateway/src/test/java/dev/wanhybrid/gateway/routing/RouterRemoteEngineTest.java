package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.RemoteLoad;
import dev.wanhybrid.gateway.catalog.AudioMode;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.catalog.ModelTier;
import dev.wanhybrid.gateway.catalog.QualityTier;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The router with remote self-hosted engines next to the shipped catalog (in-JVM Wan 2.1 and the DashScope models):
 * their load and GPU price in the estimates, their own health, and reasons that stay true (audio from a remote
 * model is not "audio_requires_cloud").
 */
class RouterRemoteEngineTest {

    private static final VideoSize P480 = new VideoSize(832, 480);
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private final Router router = new Router();

    /** A remote engine's reading: its queue wait, a fixed service time per clip second, a price per GPU-second. */
    private record Load(LocalQueueState queue, Duration perSecond, BigDecimal usdPerSecond) implements RemoteLoad {
        @Override
        public Duration serviceTime(String model, VideoSize size, int seconds) {
            return perSecond.multipliedBy(seconds);
        }

        @Override
        public BigDecimal usdFor(Duration serviceTime) {
            return usdForGpuSeconds(BigDecimal.valueOf(serviceTime.toMillis()).movePointLeft(3));
        }

        @Override
        public BigDecimal usdForGpuSeconds(BigDecimal gpuSeconds) {
            return usdPerSecond.multiply(gpuSeconds);
        }
    }

    private static Load load(int outstanding, long waitSeconds) {
        return new Load(new LocalQueueState(Math.max(0, outstanding - 1), Math.min(outstanding, 1), 1, 4,
                Duration.ofSeconds(waitSeconds)), Duration.ofSeconds(2), new BigDecimal("0.0001"));
    }

    private static CatalogModel remoteModel(String id, String engine, boolean audio) {
        return remoteModel(id, engine, audio, Set.of());
    }

    private static CatalogModel remoteModel(String id, String engine, boolean audio, Set<String> loras) {
        return new CatalogModel(id, engine, Set.of(TaskKind.T2V), new TreeSet<>(List.of(1, 2, 3, 4, 5)), 5, 16,
                audio ? Set.of(AudioMode.GENERATED) : Set.of(), QualityTier.STANDARD, P480,
                List.of(new ModelTier("480p", List.of(P480), BigDecimal.ZERO, null, Duration.ofSeconds(2))), loras);
    }

    private static GenerationSpec t2v(RoutingHints hints, String lora) {
        return new GenerationSpec("acme", "auto", TaskKind.T2V, "a fox in the snow", null, P480, 5, null, null,
                AudioSpec.NONE, null, hints, lora);
    }

    private static RoutingContext context(List<CatalogModel> remote, Map<String, BackendHealth> remoteHealth) {
        List<CatalogModel> models = new ArrayList<>(CatalogFixtures.shipped().models());
        models.addAll(remote);
        Map<String, BackendHealth> health = new HashMap<>(remoteHealth);
        health.put("local", new BackendHealth("local", true, "CLOSED", "ready", Set.of("wan2.1-t2v-1.3b")));
        health.put("cloud", BackendHealth.up("cloud"));
        return new RoutingContext(new ModelCatalog(models), health, LocalQueueState.IDLE, null, null, Map.of(), NOW);
    }

    private static BackendHealth remote(String name, String breaker, RemoteLoad load) {
        return new BackendHealth(name, true, breaker, "remote engine " + name, Set.of(), load);
    }

    private static GenerationSpec t2v(AudioSpec audio) {
        return new GenerationSpec("acme", "auto", TaskKind.T2V, "a fox in the snow", null, P480, 5, null, null, audio,
                null, RoutingHints.NONE);
    }

    @Test
    void aRemoteModelThatMakesSoundServesAnAudioRequestAndTheReasonSaysSo() throws Exception {
        RoutingContext ctx = context(List.of(remoteModel("omni-audio", "gpu-a", true)),
                Map.of("gpu-a", remote("gpu-a", "CLOSED", load(0, 0))));

        Route route = router.decide(t2v(AudioSpec.GENERATED), ctx);

        assertThat(route.chosen().backend()).isEqualTo("gpu-a");
        assertThat(route.reason()).isEqualTo("audio_requires_remote");
        // Priced as its GPU time: 10 s of service at $0.0001 a second.
        assertThat(route.chosen().estimatedCostUsd()).isEqualByComparingTo("0.001");
        assertThat(route.chosen().estimatedTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(route.candidates()).extracting(RouteCandidate::backend).contains("cloud");
    }

    @Test
    void whenTheAudioCapableRemoteEngineIsDownTheCloudTakesItButNotBecauseAudioRequiresTheCloud() throws Exception {
        RoutingContext ctx = context(List.of(remoteModel("omni-audio", "gpu-a", true)),
                Map.of("gpu-a", remote("gpu-a", "OPEN", load(0, 0))));

        Route route = router.decide(t2v(AudioSpec.GENERATED), ctx);

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.reason()).isEqualTo("remote_unavailable");
        assertThat(route.rejected()).anySatisfy(r -> {
            assertThat(r.backend()).isEqualTo("gpu-a");
            assertThat(r.reason()).isEqualTo("breaker_open");
        });
    }

    @Test
    void withoutAnAudioCapableSelfHostedModelAudioStillRequiresTheCloud() throws Exception {
        RoutingContext ctx = context(List.of(remoteModel("silent-5b", "gpu-a", false)),
                Map.of("gpu-a", remote("gpu-a", "CLOSED", load(0, 0))));

        Route route = router.decide(t2v(AudioSpec.GENERATED), ctx);

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.reason()).isEqualTo("audio_requires_cloud");
    }

    @Test
    void ofTwoEndpointsAtTheSamePriceTheShorterWaitComesFirst() throws Exception {
        RoutingContext ctx = context(List.of(remoteModel("wan-a", "gpu-a", false), remoteModel("wan-b", "gpu-b", false)),
                Map.of("gpu-a", remote("gpu-a", "CLOSED", load(3, 30)), "gpu-b", remote("gpu-b", "CLOSED", load(1, 4))));

        Route route = router.decide(t2v(AudioSpec.NONE), ctx);

        List<RouteCandidate> remotes = route.candidates().stream().filter(c -> c.backend().startsWith("gpu-")).toList();
        assertThat(remotes).extracting(RouteCandidate::backend).containsExactly("gpu-b", "gpu-a");
        assertThat(remotes.get(0).estimatedTime()).isEqualTo(Duration.ofSeconds(14));
        assertThat(remotes.get(1).estimatedTime()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void anEndpointWithMaxConcurrentJobsOutstandingIsRuledOutAsFull() throws Exception {
        RoutingContext ctx = context(List.of(remoteModel("wan-a", "gpu-a", false)),
                Map.of("gpu-a", remote("gpu-a", "CLOSED", load(4, 20))));

        Route route = router.decide(t2v(AudioSpec.NONE), ctx);

        assertThat(route.candidates()).extracting(RouteCandidate::backend).doesNotContain("gpu-a");
        assertThat(route.rejected()).anySatisfy(r -> {
            assertThat(r.backend()).isEqualTo("gpu-a");
            assertThat(r.reason()).isEqualTo("queue_full");
            assertThat(r.detail()).contains("gpu-a");
        });
    }

    @Test
    void localOnlyKeepsTheDataOnSelfHostedMachinesRemoteIncluded() throws Exception {
        RoutingContext ctx = context(List.of(remoteModel("omni-audio", "gpu-a", true)),
                Map.of("gpu-a", remote("gpu-a", "CLOSED", load(0, 0))));
        GenerationSpec spec = new GenerationSpec("acme", "auto", TaskKind.T2V, "a fox", null, P480, 5, null, null,
                AudioSpec.GENERATED, null, new RoutingHints(null, RoutingHints.Objective.COST, null, null, true));

        Route route = router.decide(spec, ctx);

        assertThat(route.chosen().backend()).isEqualTo("gpu-a");
        assertThat(route.candidates()).extracting(RouteCandidate::backend).doesNotContain("cloud");
    }

    @Test
    void aLoraOnlyARemoteModelHasRoutesThereAndTheReasonSaysSo() throws Exception {
        RoutingContext ctx = context(List.of(remoteModel("wan-plain", "gpu-a", false),
                remoteModel("wan-grain", "gpu-b", false, Set.of("film-grain", "watercolor"))),
                Map.of("gpu-a", remote("gpu-a", "CLOSED", load(0, 0)), "gpu-b", remote("gpu-b", "CLOSED", load(2, 20))));

        Route route = router.decide(t2v(RoutingHints.NONE, "film-grain"), ctx);

        assertThat(route.chosen().backend()).as("the busier engine, the only one with the LoRA").isEqualTo("gpu-b");
        assertThat(route.chosen().model()).isEqualTo("wan-grain");
        assertThat(route.candidates()).extracting(RouteCandidate::backend).containsExactly("gpu-b");
        assertThat(route.reason()).isEqualTo("lora_requires_remote");
        assertThat(route.rejected()).filteredOn(r -> r.model().equals("wan-plain")).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("lora_unsupported"));
        assertThat(route.rejected()).filteredOn(r -> r.backend().equals("cloud")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.reason()).isEqualTo("lora_unsupported"));
    }

    @Test
    void aLoraNoModelHasIsABadRequestNamingTheLora() {
        RoutingContext ctx = context(List.of(remoteModel("wan-grain", "gpu-b", false, Set.of("film-grain"))),
                Map.of("gpu-b", remote("gpu-b", "CLOSED", load(0, 0))));

        NoRouteException e = org.assertj.core.api.Assertions.catchThrowableOfType(NoRouteException.class,
                () -> router.decide(t2v(RoutingHints.NONE, "oil-paint"), ctx));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("lora");
        assertThat(e.code()).isEqualTo("lora_unsupported");
        assertThat(e.rejected()).filteredOn(r -> r.model().equals("wan-grain")).singleElement()
                .satisfies(r -> assertThat(r.detail()).contains("does not have the LoRA 'oil-paint'", "film-grain"));
    }

    @Test
    void routingBackendPinsARemoteEngineByItsConfiguredName() throws Exception {
        // gpu-a is idle and gpu-b busy, so unpinned the request would go to gpu-a.
        RoutingContext ctx = context(List.of(remoteModel("wan-a", "gpu-a", false), remoteModel("wan-b", "gpu-b", false)),
                Map.of("gpu-a", remote("gpu-a", "CLOSED", load(0, 0)), "gpu-b", remote("gpu-b", "CLOSED", load(3, 30))));
        assertThat(router.decide(t2v(RoutingHints.NONE, null), ctx).chosen().backend()).isEqualTo("gpu-a");

        Route route = router.decide(t2v(new RoutingHints("gpu-b", null, null, null, false), null), ctx);

        assertThat(route.candidates()).extracting(RouteCandidate::backend).containsExactly("gpu-b");
        assertThat(route.reason()).isEqualTo("pinned");
        assertThat(route.rejected()).filteredOn(r -> r.backend().equals("gpu-a")).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo("pinned_elsewhere");
            assertThat(r.detail()).contains("routing.backend pins gpu-b");
        });
    }

    @Test
    void aPinToAnEngineThatIsNotConfiguredIsABadRequestListingTheNames() {
        RoutingContext ctx = context(List.of(remoteModel("wan-a", "gpu-a", false)),
                Map.of("gpu-a", remote("gpu-a", "CLOSED", load(0, 0))));

        NoRouteException e = org.assertj.core.api.Assertions.catchThrowableOfType(NoRouteException.class,
                () -> router.decide(t2v(new RoutingHints("gpu-z", null, null, null, false), null), ctx));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("routing.backend");
        assertThat(e.code()).isEqualTo("invalid_backend");
        assertThat(e.getMessage()).contains("'gpu-z'", "gpu-a");
    }
}
