package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wanhybrid.cost.budget.WhenExhausted;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final ModelCatalog CATALOG = CatalogFixtures.shipped();
    private static final Instant NOW = Instant.parse("2026-11-22T04:00:00Z");
    private static final VideoSize P480 = new VideoSize(832, 480);
    private static final VideoSize P720 = new VideoSize(1280, 720);
    private static final VideoSize P1080 = new VideoSize(1920, 1080);
    private static final URI IMAGE = URI.create("https://images.example.com/cat.png");

    private final Router router = new Router();

    // ---- helpers -------------------------------------------------------------------------------------------

    private static GenerationSpec t2v(VideoSize size, int seconds, AudioSpec audio, RoutingHints hints) {
        return new GenerationSpec("acme", "auto", TaskKind.T2V, "a cat surfing", null, size, seconds, null, null,
                audio, null, hints);
    }

    private static GenerationSpec silent(VideoSize size, int seconds) {
        return t2v(size, seconds, AudioSpec.NONE, RoutingHints.NONE);
    }

    private static RoutingHints hints(String backend, RoutingHints.Objective objective, String maxCost,
            Duration deadline, boolean localOnly) {
        return new RoutingHints(backend, objective, maxCost == null ? null : new BigDecimal(maxCost), deadline,
                localOnly);
    }

    private static Context healthy() {
        return new Context();
    }

    /** A mutable builder for a routing context: both backends up, local serving the 1.3B model, idle queue. */
    private static final class Context {
        BackendHealth local = new BackendHealth("local", true, "CLOSED", "ready", Set.of("wan2.1-t2v-1.3b"));
        BackendHealth cloud = BackendHealth.up("cloud");
        LocalQueueState queue = LocalQueueState.IDLE;
        LatencyObservations latency = LatencyObservations.NONE;
        Map<String, BigDecimal> headroom = new HashMap<>();

        Context cloudBreaker(String state) {
            cloud = new BackendHealth("cloud", true, state, "ready", Set.of());
            return this;
        }

        Context localBreaker(String state) {
            local = new BackendHealth("local", true, state, "ready", Set.of("wan2.1-t2v-1.3b"));
            return this;
        }

        Context localNotReady() {
            local = new BackendHealth("local", false, "CLOSED",
                    "no local weights: set gateway.local.model-path to a Wan2.1-T2V-1.3B-Diffusers folder", Set.of());
            return this;
        }

        Context cloudNotReady() {
            cloud = new BackendHealth("cloud", false, "CLOSED", "no DashScope key: set DASHSCOPE_API_KEY", Set.of());
            return this;
        }

        Context queue(LocalQueueState state) {
            queue = state;
            return this;
        }

        WhenExhausted whenExhausted = WhenExhausted.REJECT;

        Context headroom(String backend, String usd) {
            headroom.put(backend, new BigDecimal(usd));
            return this;
        }

        Context whenExhausted(WhenExhausted policy) {
            whenExhausted = policy;
            return this;
        }

        Context latency(LatencyObservations observations) {
            latency = observations;
            return this;
        }

        RoutingContext build() {
            return new RoutingContext(CATALOG, Map.of("local", local, "cloud", cloud), queue, latency, null,
                    headroom, NOW, null, whenExhausted);
        }
    }

    private Route route(GenerationSpec spec, Context ctx) throws NoRouteException {
        return router.decide(spec, ctx.build());
    }

    private NoRouteException noRoute(GenerationSpec spec, Context ctx) {
        return catchThrowableOfType(NoRouteException.class, () -> router.decide(spec, ctx.build()));
    }

    private static List<String> reasonsFor(Route route, String model) {
        return route.rejected().stream().filter(r -> r.model().equals(model)).map(RejectedCandidate::reason).toList();
    }

    // ---- cost and capability -------------------------------------------------------------------------------

    @Test
    void silentShortClipAt480pRunsLocallyBecauseItIsCheapest() throws Exception {
        Route route = route(silent(P480, 5), healthy());

        assertThat(route.chosen().backend()).isEqualTo("local");
        assertThat(route.chosen().model()).isEqualTo("wan2.1-t2v-1.3b");
        assertThat(route.reason()).isEqualTo("cheapest");
        assertThat(route.chosen().estimatedCostUsd()).isEqualByComparingTo("0.005");
        assertThat(route.chosen().estimatedTime()).isEqualTo(Duration.ofSeconds(240));
        // the cloud models that can do it stay as fallbacks, cheapest first
        assertThat(route.candidates()).extracting(RouteCandidate::model)
                .startsWith("wan2.1-t2v-1.3b", "wan2.2-t2v-plus", "wan2.1-t2v-turbo");
        assertThat(reasonsFor(route, "wan2.1-t2v-14b")).containsExactly("model_not_loaded");
        assertThat(reasonsFor(route, "wan2.6-i2v")).containsExactly("kind_unsupported");
    }

    @Test
    void generatedAudioCanOnlyGoToTheCloud() throws Exception {
        Route route = route(t2v(P720, 5, AudioSpec.GENERATED, RoutingHints.NONE), healthy());

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.reason()).isEqualTo("audio_requires_cloud");
        assertThat(route.candidates()).allMatch(c -> c.backend().equals("cloud"));
        assertThat(reasonsFor(route, "wan2.1-t2v-1.3b")).containsExactly("audio_unsupported");
        assertThat(reasonsFor(route, "wan2.2-t2v-plus")).containsExactly("audio_unsupported");
        // wan2.5 and wan2.6 both cost $0.10/s at 720p; the tie goes to the faster, then the better model
        assertThat(route.chosen().estimatedCostUsd()).isEqualByComparingTo("0.5");
    }

    @Test
    void fullHdCanOnlyGoToTheCloud() throws Exception {
        Route route = route(silent(P1080, 5), healthy());

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.chosen().model()).isEqualTo("wan2.2-t2v-plus");
        assertThat(route.reason()).isEqualTo("size_requires_cloud");
        assertThat(reasonsFor(route, "wan2.1-t2v-1.3b")).containsExactly("size_unsupported");
        // The refusal says what the model offers, every tier's sizes in order.
        assertThat(route.rejected()).filteredOn(r -> r.model().equals("wan2.1-t2v-1.3b"))
                .extracting(RejectedCandidate::detail)
                .containsExactly("wan2.1-t2v-1.3b does not produce 1920x1080; it offers 832x480, 480x832.");
        assertThat(route.rejected()).filteredOn(r -> r.model().equals("wan2.1-t2v-14b"))
                .extracting(RejectedCandidate::detail)
                .containsExactly("wan2.1-t2v-14b does not produce 1920x1080; it offers 832x480, 480x832, 1280x720,"
                        + " 720x1280.");
    }

    @Test
    void sizeOnlyAnUnloadedLocalModelCouldServeIsNotCountedAsALocalFallback() throws Exception {
        Route route = route(silent(P720, 5), healthy());

        assertThat(route.chosen().model()).isEqualTo("wan2.1-t2v-turbo");
        assertThat(route.reason()).isEqualTo("size_requires_cloud");
        assertThat(reasonsFor(route, "wan2.1-t2v-14b")).containsExactly("model_not_loaded");
    }

    @Test
    void longClipsCanOnlyGoToTheCloud() throws Exception {
        Route route = route(silent(P720, 10), healthy());

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.reason()).isEqualTo("seconds_requires_cloud");
        assertThat(route.candidates()).extracting(RouteCandidate::model)
                .containsExactlyInAnyOrder("wan2.6-t2v", "wan2.5-t2v-preview", "wan2.7-t2v");
    }

    @Test
    void imageToVideoCanOnlyGoToTheCloudAndTakesTheSilentFlashPrice() throws Exception {
        var spec = new GenerationSpec("acme", "auto", TaskKind.I2V, "the cat jumps", null, P720, 5, null, IMAGE,
                AudioSpec.NONE, null, RoutingHints.NONE);

        Route route = route(spec, healthy());

        assertThat(route.reason()).isEqualTo("i2v_requires_cloud");
        assertThat(route.chosen().model()).isEqualTo("wan2.6-i2v-flash");
        assertThat(route.chosen().estimatedCostUsd()).isEqualByComparingTo("0.125");
    }

    @Test
    void flashWithSoundCostsTheAudioPrice() throws Exception {
        var spec = new GenerationSpec("acme", "wan2.6-i2v-flash", TaskKind.I2V, "p", null, P720, 5, null, IMAGE,
                AudioSpec.GENERATED, null, RoutingHints.NONE);

        Route route = route(spec, healthy());

        assertThat(route.reason()).isEqualTo("model_requested");
        assertThat(route.chosen().estimatedCostUsd()).isEqualByComparingTo("0.25");
    }

    @Test
    void missingSizeAndSecondsUseEachModelsDefaults() throws Exception {
        Route route = route(t2v(null, 0, AudioSpec.NONE, RoutingHints.NONE), healthy());

        assertThat(route.chosen().model()).isEqualTo("wan2.1-t2v-1.3b");
        assertThat(route.chosen().estimatedCostUsd()).isEqualByComparingTo("0.005");
    }

    // ---- policy --------------------------------------------------------------------------------------------

    @Test
    void localOnlyKeepsEveryCandidateLocal() throws Exception {
        Route route = route(t2v(P480, 5, AudioSpec.NONE, hints(null, null, null, null, true)), healthy());

        assertThat(route.reason()).isEqualTo("local_only");
        assertThat(route.candidates()).extracting(RouteCandidate::backend).containsOnly("local");
        assertThat(reasonsFor(route, "wan2.6-t2v")).containsExactly("local_only");
    }

    @Test
    void localOnlyWithAudioIsTheCallersFaultNamingAudio() {
        NoRouteException e = noRoute(t2v(P480, 5, AudioSpec.GENERATED, hints(null, null, null, null, true)),
                healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("audio");
        assertThat(e.getMessage()).contains("routing.local_only").contains("only available in the cloud");
        assertThat(e.rejected()).extracting(RejectedCandidate::reason).contains("local_only", "audio_unsupported");
    }

    @Test
    void localOnlyWithLocalDownIsOurFault() {
        NoRouteException e = noRoute(t2v(P480, 5, AudioSpec.NONE, hints(null, null, null, null, true)),
                healthy().localNotReady());

        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("backend_unavailable");
        assertThat(e.getMessage()).contains("gateway.local.model-path");
    }

    @Test
    void pinToCloudRoutesToTheCheapestCloudModel() throws Exception {
        Route route = route(t2v(P480, 5, AudioSpec.NONE, hints("cloud", null, null, null, false)), healthy());

        assertThat(route.reason()).isEqualTo("pinned");
        assertThat(route.chosen().model()).isEqualTo("wan2.2-t2v-plus");
        assertThat(reasonsFor(route, "wan2.1-t2v-1.3b")).containsExactly("pinned_elsewhere");
    }

    @Test
    void pinThatContradictsTheNamedModelNamesTheBackendField() {
        var spec = new GenerationSpec("acme", "wan2.6-t2v", TaskKind.T2V, "p", null, P720, 5, null, null,
                AudioSpec.NONE, null, hints("local", null, null, null, false));

        NoRouteException e = noRoute(spec, healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("routing.backend");
    }

    @Test
    void unknownBackendPinIsRejected() {
        NoRouteException e = noRoute(t2v(P480, 5, AudioSpec.NONE, hints("gpu", null, null, null, false)), healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("routing.backend");
    }

    @Test
    void cloudPinWithLocalOnlyIsAContradiction() {
        NoRouteException e = noRoute(t2v(P480, 5, AudioSpec.NONE, hints("cloud", null, null, null, true)), healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("routing_conflict");
    }

    // ---- caller faults -------------------------------------------------------------------------------------

    @Test
    void unknownModelNamesTheModelField() {
        var spec = new GenerationSpec("acme", "sora-2", TaskKind.T2V, "p", null, P480, 5, null, null,
                AudioSpec.NONE, null, RoutingHints.NONE);

        NoRouteException e = noRoute(spec, healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.getMessage()).contains("wan2.6-t2v");
    }

    @Test
    void sizeNoModelProducesNamesTheSizeFieldAndListsWhatWouldWork() {
        NoRouteException e = noRoute(silent(new VideoSize(1000, 1000), 5), healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("size");
        assertThat(e.getMessage()).contains("1000x1000").contains("832x480").contains("1920x1080");
        assertThat(e.rejected()).isNotEmpty().allMatch(r -> !r.detail().isBlank());
    }

    @Test
    void lengthNoModelProducesNamesTheSecondsField() {
        NoRouteException e = noRoute(silent(P720, 20), healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("seconds");
        assertThat(e.getMessage()).contains("20-second").contains("15");
    }

    @Test
    void namedModelWithAnImpossibleLengthNamesTheSecondsField() {
        var spec = new GenerationSpec("acme", "wan2.2-t2v-plus", TaskKind.T2V, "p", null, P480, 10, null, null,
                AudioSpec.NONE, null, RoutingHints.NONE);

        NoRouteException e = noRoute(spec, healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("seconds");
    }

    @Test
    void audioSyncedToATrackOnATextOnlySilentModelNamesTheAudioField() {
        var spec = new GenerationSpec("acme", "wan2.1-t2v-turbo", TaskKind.T2V, "p", null, P480, 5, null, null,
                new AudioSpec.FromUrl(URI.create("https://a.example.com/x.mp3")), null, RoutingHints.NONE);

        NoRouteException e = noRoute(spec, healthy());

        assertThat(e.param()).isEqualTo("audio");
        assertThat(e.getMessage()).contains("synchronise");
    }

    @Test
    void imageToVideoOnALocalOnlyRequestAt480pNamesTheSizeBecauseTheLocalI2vModelMakes720p() {
        // Wan 2.2 TI2V-5B does image-to-video locally, at 1280x704 / 704x1280 only.
        var spec = new GenerationSpec("acme", "auto", TaskKind.I2V, "p", null, P480, 5, null, IMAGE,
                AudioSpec.NONE, null, hints(null, null, null, null, true));

        NoRouteException e = noRoute(spec, healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("size");
    }

    // ---- health and fallbacks ------------------------------------------------------------------------------

    @Test
    void forcedOpenCloudBreakerSendsALatencySeekingSilentRequestLocal() throws Exception {
        var spec = t2v(P480, 5, AudioSpec.NONE, hints(null, RoutingHints.Objective.LATENCY, null, null, false));
        assertThat(route(spec, healthy()).chosen().backend()).as("the cloud is faster when it is up")
                .isEqualTo("cloud");

        Route route = route(spec, healthy().cloudBreaker("FORCED_OPEN"));

        assertThat(route.chosen().backend()).isEqualTo("local");
        assertThat(route.reason()).isEqualTo("cloud_unavailable");
        assertThat(route.rejected()).filteredOn(r -> r.backend().equals("cloud") && r.reason().equals("breaker_open"))
                .isNotEmpty()
                .allMatch(r -> r.detail().contains("FORCED_OPEN"));
    }

    @Test
    void openCloudBreakerWithAnAudioRequestIsOurFault() {
        NoRouteException e = noRoute(t2v(P720, 5, AudioSpec.GENERATED, RoutingHints.NONE),
                healthy().cloudBreaker("OPEN"));

        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(e.param()).isNull();
        assertThat(e.rejected()).extracting(RejectedCandidate::reason).contains("breaker_open", "audio_unsupported");
    }

    @Test
    void localWithoutWeightsSendsSilentWorkToTheCloudAndSaysWhy() throws Exception {
        Route route = route(silent(P480, 5), healthy().localNotReady());

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.reason()).isEqualTo("local_unavailable");
        assertThat(route.rejected()).filteredOn(r -> r.model().equals("wan2.1-t2v-1.3b"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.reason()).isEqualTo("not_ready");
                    assertThat(r.detail()).contains("set gateway.local.model-path");
                });
    }

    @Test
    void openLocalBreakerFallsBackToTheCloud() throws Exception {
        Route route = route(silent(P480, 5), healthy().localBreaker("OPEN"));

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.reason()).isEqualTo("local_unavailable");
    }

    @Test
    void halfOpenBreakerStillTakesWork() throws Exception {
        assertThat(route(silent(P480, 5), healthy().localBreaker("HALF_OPEN")).chosen().backend())
                .isEqualTo("local");
    }

    @Test
    void fullLocalQueueSendsWorkToTheCloud() throws Exception {
        Route route = route(silent(P480, 5),
                healthy().queue(new LocalQueueState(7, 1, 1, 8, Duration.ofMinutes(30))));

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.reason()).isEqualTo("local_unavailable");
        assertThat(reasonsFor(route, "wan2.1-t2v-1.3b")).containsExactly("queue_full");
    }

    @Test
    void everythingDownIsA503ListingEachBackend() {
        NoRouteException e = noRoute(silent(P480, 5), healthy().localNotReady().cloudNotReady());

        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(e.getMessage()).contains("gateway.local.model-path").contains("DASHSCOPE_API_KEY");
    }

    @Test
    void namedLocalModelThatIsNotLoadedIsNotDeployedHereWhichWaitingWillNotChange() {
        var spec = new GenerationSpec("acme", "wan2.1-t2v-14b", TaskKind.T2V, "p", null, P480, 5, null, null,
                AudioSpec.NONE, null, RoutingHints.NONE);

        NoRouteException e = noRoute(spec, healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.code()).isEqualTo("model_not_deployed");
        assertThat(e.rejected()).extracting(RejectedCandidate::reason).containsExactly("model_not_loaded");
    }

    // ---- a model that is merely not loaded never hides why the loaded ones were refused ----------------------

    @Test
    void aBudgetThatRefusesEveryLoadedModelIs402EvenWhenAnUnloadedModelWouldFit() {
        // 720p silent: the loaded 1.3B model does not make 720p, the 14B would but is not loaded here.
        NoRouteException e = noRoute(silent(P720, 5), healthy().headroom("cloud", "0"));

        assertThat(e.httpStatus()).isEqualTo(402);
        assertThat(e.code()).isEqualTo("budget_exceeded");
        assertThat(e.rejected()).extracting(RejectedCandidate::reason).contains("model_not_loaded", "budget");
    }

    @Test
    void maxCostBelowEveryLoadedModelNamesTheFieldEvenWhenAnUnloadedModelWouldFit() {
        NoRouteException e = noRoute(t2v(P720, 5, AudioSpec.NONE, hints(null, null, "0.01", null, false)),
                healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("routing.max_cost_usd");
        assertThat(e.code()).isEqualTo("max_cost_too_low");
    }

    @Test
    void aLoraOnlyAnUnloadedModelAppliesNamesTheLoraField() {
        var spec = new GenerationSpec("acme", "auto", TaskKind.T2V, "p", null, null, 5, null, null, AudioSpec.NONE,
                null, RoutingHints.NONE, "anime-style");

        NoRouteException e = noRoute(spec, healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("lora");
        assertThat(e.code()).isEqualTo("lora_unsupported");
    }

    @Test
    void anUnloadedModelBesideABackendThatIsDownForNowIsStillOurFault() {
        // The cloud's breaker is open: waiting helps, so 503, whatever the unloaded 14B could have done.
        NoRouteException e = noRoute(silent(P720, 5), healthy().cloudBreaker("OPEN"));

        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(e.getMessage()).contains("circuit breaker").doesNotContain("loaded");
    }

    // ---- constraints ---------------------------------------------------------------------------------------

    @Test
    void maxCostBelowEveryOptionNamesTheField() {
        var spec = t2v(P720, 5, AudioSpec.GENERATED, hints(null, null, "0.10", null, false));

        NoRouteException e = noRoute(spec, healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("routing.max_cost_usd");
        assertThat(e.getMessage()).contains("$0.5");
    }

    @Test
    void maxCostPicksACheaperCloudModelWhenTheLatencyObjectivePrefersADearOne() throws Exception {
        var spec = t2v(P720, 5, AudioSpec.NONE, hints("cloud", RoutingHints.Objective.LATENCY, "0.2", null, false));

        Route route = route(spec, healthy());

        assertThat(route.chosen().model()).isEqualTo("wan2.1-t2v-turbo");
        assertThat(reasonsFor(route, "wan2.6-t2v")).containsExactly("over_max_cost");
    }

    @Test
    void exhaustedCloudBudgetSendsSilentWorkLocal() throws Exception {
        var spec = t2v(P480, 5, AudioSpec.NONE, hints(null, RoutingHints.Objective.LATENCY, null, null, false));

        Route route = route(spec, healthy().headroom("cloud", "0"));

        assertThat(route.chosen().backend()).isEqualTo("local");
        assertThat(route.reason()).isEqualTo("budget");
    }

    @Test
    void aSpentLocalOnlyBudgetNamesItsPolicyWhenOnlyTheCloudCouldMakeTheRequest() {
        // Sound: only the cloud makes it; the planner gives owned engines no headroom under local_only.
        NoRouteException e = noRoute(t2v(P720, 5, AudioSpec.GENERATED, RoutingHints.NONE),
                healthy().headroom("cloud", "0").whenExhausted(WhenExhausted.LOCAL_ONLY));

        assertThat(e.httpStatus()).isEqualTo(402);
        assertThat(e.code()).isEqualTo("budget_exceeded");
        assertThat(e.getMessage()).contains("local_only").contains("owned engines");
        assertThat(e.rejected()).filteredOn(r -> r.reason().equals("budget")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.detail()).contains("local_only"));
    }

    @Test
    void aSpentLowerTierBudgetAsksForTheSizeTheCallerWouldAccept() {
        NoRouteException e = noRoute(t2v(P720, 5, AudioSpec.GENERATED, RoutingHints.NONE),
                healthy().headroom("cloud", "0").whenExhausted(WhenExhausted.LOWER_TIER));

        assertThat(e.httpStatus()).isEqualTo(402);
        assertThat(e.getMessage()).contains("routing.lower_tier_size");
    }

    // ---- a spent budget whose policy is queue (the decision; the planner turns it into budget_queued) -------------

    @Test
    void aSpentQueueBudgetTurnsABudgetRefusalIntoAWaitForTheRouteTheBudgetWouldAllow() throws Exception {
        // Sound: only the cloud makes it, and the cloud is over the spent cap.
        var spec = t2v(P720, 5, AudioSpec.GENERATED, RoutingHints.NONE);
        Context spent = healthy().headroom("cloud", "0").whenExhausted(WhenExhausted.QUEUE);

        NoRouteException e = noRoute(spec, spent);

        assertThat(e.httpStatus()).isEqualTo(402);
        assertThat(e.getMessage()).contains("queue");
        assertThat(BudgetQueueing.queues(WhenExhausted.QUEUE, e)).isTrue();
        // Where it waits to run: the decision without the budget.
        Route later = router.decide(spec, spent.build().withoutBudget());
        assertThat(later.chosen().backend()).isEqualTo("cloud");
    }

    @Test
    void aBusyOwnedEngineUnderASpentQueueBudgetIsAWaitNotAnOutage() {
        // Local could make it (owned engines get no headroom entry under queue) but its breaker is open; the cloud
        // is over the cap. Without the policy that is ours (503); with it, the job waits for either.
        NoRouteException e = noRoute(silent(P480, 5),
                healthy().localBreaker("OPEN").headroom("cloud", "0").whenExhausted(WhenExhausted.QUEUE));

        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(BudgetQueueing.queues(WhenExhausted.QUEUE, e)).isTrue();
        assertThat(BudgetQueueing.queues(WhenExhausted.REJECT, e)).isFalse();
        assertThat(BudgetQueueing.queues(WhenExhausted.LOCAL_ONLY, e)).isFalse();
    }

    @Test
    void refusalsThatWaitingForTheBudgetCannotCureStayRefusals() {
        // An outage with budget to spare: nothing to do with the budget, so no wait.
        NoRouteException down = noRoute(silent(P480, 5),
                healthy().localBreaker("OPEN").cloudBreaker("OPEN").whenExhausted(WhenExhausted.QUEUE));
        assertThat(down.httpStatus()).isEqualTo(503);
        assertThat(BudgetQueueing.queues(WhenExhausted.QUEUE, down)).isFalse();

        // A size no model makes is the caller's to fix.
        NoRouteException size = noRoute(silent(new VideoSize(1000, 1000), 5),
                healthy().headroom("cloud", "0").whenExhausted(WhenExhausted.QUEUE));
        assertThat(size.httpStatus()).isEqualTo(400);
        assertThat(BudgetQueueing.queues(WhenExhausted.QUEUE, size)).isFalse();
    }

    @Test
    void exhaustedBudgetForAudioIsPaymentRequired() {
        NoRouteException e = noRoute(t2v(P720, 5, AudioSpec.GENERATED, RoutingHints.NONE),
                healthy().headroom("cloud", "0.20"));

        assertThat(e.httpStatus()).isEqualTo(402);
        assertThat(e.code()).isEqualTo("budget_exceeded");
    }

    @Test
    void longLocalQueueMissesTheDeadlineSoTheCloudRunsIt() throws Exception {
        var spec = t2v(P480, 5, AudioSpec.NONE, hints(null, null, null, Duration.ofMinutes(10), false));
        var busy = new LocalQueueState(3, 1, 1, 0, Duration.ofMinutes(16));

        Route route = route(spec, healthy().queue(busy));

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.reason()).isEqualTo("deadline");
        assertThat(route.rejected()).filteredOn(r -> r.model().equals("wan2.1-t2v-1.3b"))
                .singleElement().satisfies(r -> assertThat(r.detail()).contains("1200 s").contains("600 s"));
    }

    @Test
    void deadlineNoBackendCouldMeetIsTheCallersFault() {
        NoRouteException e = noRoute(t2v(P480, 5, AudioSpec.NONE, hints(null, null, null, Duration.ofSeconds(30),
                false)), healthy());

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("routing.deadline_seconds");
    }

    @Test
    void deadlineMissedOnlyBecauseOfTheQueueIsOurs() {
        var spec = t2v(P480, 5, AudioSpec.NONE, hints(null, null, null, Duration.ofMinutes(5), true));

        NoRouteException e = noRoute(spec, healthy().queue(new LocalQueueState(2, 1, 1, 0, Duration.ofMinutes(8))));

        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("deadline_unreachable_now");
    }

    // ---- estimates -----------------------------------------------------------------------------------------

    @Test
    void recentCloudObservationsReplaceTheConfiguredLatency() throws Exception {
        var spec = t2v(P480, 5, AudioSpec.NONE, hints("cloud", RoutingHints.Objective.LATENCY, null, null, false));
        var obs = new ArrayList<LatencyObservations.Observation>();
        for (int i = 0; i < 3; i++) {
            obs.add(new LatencyObservations.Observation(NOW.minusSeconds(60 * i), "wan2.2-t2v-plus",
                    Duration.ofSeconds(50), 5));
        }
        // older than the window: ignored
        obs.add(new LatencyObservations.Observation(NOW.minus(Duration.ofHours(2)), "wan2.1-t2v-turbo",
                Duration.ofSeconds(5), 5));

        Route route = route(spec, healthy().latency(LatencyObservations.of(obs, Duration.ofMinutes(30), 3)));

        assertThat(route.chosen().model()).isEqualTo("wan2.2-t2v-plus");
        assertThat(route.chosen().estimatedTime()).isEqualTo(Duration.ofSeconds(50));
        assertThat(route.candidates()).filteredOn(c -> c.model().equals("wan2.1-t2v-turbo"))
                .singleElement().satisfies(c -> assertThat(c.estimatedTime()).isEqualTo(Duration.ofSeconds(90)));
    }

    @Test
    void localEstimateAddsTheQueueWaitToTheServiceTime() throws Exception {
        Route route = route(silent(P480, 5),
                healthy().queue(new LocalQueueState(2, 1, 1, 0, Duration.ofMinutes(12))));

        assertThat(route.chosen().backend()).isEqualTo("local");
        assertThat(route.chosen().estimatedTime()).isEqualTo(Duration.ofMinutes(16));
    }

    @Test
    void latencyObjectivePrefersTheFastestFeasibleCandidate() throws Exception {
        var spec = t2v(P480, 5, AudioSpec.NONE, hints(null, RoutingHints.Objective.LATENCY, null, null, false));

        Route route = route(spec, healthy());

        assertThat(route.reason()).isEqualTo("fastest");
        assertThat(route.candidates()).extracting(RouteCandidate::estimatedTime).isSorted();
    }

    @Test
    void everyRejectionCarriesAKnownCodeAndASentence() throws Exception {
        List<GenerationSpec> specs = List.of(silent(P480, 5), silent(P1080, 5), silent(P720, 10),
                t2v(P720, 5, AudioSpec.GENERATED, RoutingHints.NONE),
                t2v(P480, 5, AudioSpec.NONE, hints(null, null, null, null, true)));
        for (GenerationSpec spec : specs) {
            Route route = route(spec, healthy().cloudBreaker("HALF_OPEN"));
            assertThat(route.rejected()).allSatisfy(r -> {
                assertThat(RejectionReason.ofCode(r.reason())).as(r.reason()).isNotNull();
                assertThat(r.detail()).endsWith(".");
            });
            assertThat(List.of(RouteReason.values())).extracting(RouteReason::code).contains(route.reason());
        }
    }
}
