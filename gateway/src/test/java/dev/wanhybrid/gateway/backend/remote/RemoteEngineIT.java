package dev.wanhybrid.gateway.backend.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.backend.ResilientBackendRegistry;
import dev.wanhybrid.gateway.demo.FakeVllmOmniServer;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.routing.RoutingMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The remote-engine adapter against fake vLLM-Omni servers on loopback, through the whole gateway: our request
 * mapped onto vLLM-Omni's multipart fields, the job polled to completion on the endpoint that accepted it, the MP4
 * copied into the gateway's storage and served from there, the route and metrics naming the endpoint, and two
 * endpoints with different load.
 */
class RemoteEngineIT {

    @Test
    void anAudioRequestRunsOnTheRemoteAudioModelAndTheGatewayServesItsVideo() throws Exception {
        try (FakeVllmOmniServer server = RemoteGateway.fake();
                ConfigurableApplicationContext gateway = RemoteGateway.start("remote-happy", RemoteGateway.results(),
                        RemoteGateway.engine(0, "gpu-a", server.baseUrl(), "wan2.2-ti2v-5b-a"))) {
            Http http = RemoteGateway.http(gateway);
            JsonNode created = RemoteGateway.create(http, """
                    {"prompt":"a lighthouse in a storm, waves breaking","negative_prompt":"blurry","seed":42,
                     "seconds":"5","size":"832x480","audio":true}""");
            String id = created.path("id").asString();
            JsonNode route = created.path("route");
            assertThat(route.path("backend").asString()).isEqualTo("gpu-a");
            assertThat(route.path("model").asString()).isEqualTo("wan2.2-ti2v-5b-a");
            // The in-JVM engine makes silent video; the remote model makes the sound: not "audio_requires_cloud".
            assertThat(route.path("reason").asString()).isEqualTo("audio_requires_remote");

            await().atMost(Duration.ofSeconds(40)).until(() -> RemoteGateway.finished(http, id));
            JsonNode done = RemoteGateway.video(http, id);
            assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
            assertThat(done.path("backend").asString()).isEqualTo("gpu-a");
            // Priced as its own GPU time: 2 GPUs x the inference seconds at the owned fleet's marginal energy rate.
            assertThat(new BigDecimal(done.path("cost_usd").asString())).isPositive();

            List<Map<String, String>> creations = server.creations();
            assertThat(creations).hasSize(1);
            assertThat(creations.getFirst()).containsEntry("prompt", "a lighthouse in a storm, waves breaking")
                    .containsEntry("model", RemoteGateway.SERVED)
                    .containsEntry("width", "832").containsEntry("height", "480")
                    .containsEntry("num_frames", "81").containsEntry("fps", "16")
                    .containsEntry("num_inference_steps", "20").containsEntry("guidance_scale", "5.0")
                    .containsEntry("negative_prompt", "blurry").containsEntry("seed", "42")
                    .containsEntry("generate_sound", "true");

            HttpResponse<byte[]> content = http.getBytes("/v1/videos/" + id + "/content", null);
            assertThat(content.statusCode()).isEqualTo(200);
            byte[] expected;
            try (InputStream in = getClass().getResourceAsStream("/dev/wanhybrid/cloud/simulator/with-audio.mp4")) {
                expected = in.readAllBytes();
            }
            assertThat(content.body()).as("the server's MP4, copied into the gateway's store").isEqualTo(expected);
            // The copy is the gateway's: the job's record on the server may go, the download stays.
            server.restart();
            assertThat(http.getBytes("/v1/videos/" + id + "/content", null).body()).isEqualTo(expected);

            MeterRegistry meters = gateway.getBean(MeterRegistry.class);
            assertThat(meters.find(RoutingMetrics.DECISIONS).tag("backend", "gpu-a").counter()).isNotNull();
            assertThat(meters.find("gateway.remote.outstanding").tag("engine", "gpu-a").gauge().value()).isZero();
            assertThat(gateway.getBean(ResilientBackendRegistry.class).decorated("gpu-a").orElseThrow()
                    .circuitBreaker().getName()).isEqualTo("gpu-a");
            List<String> tagValues = new ArrayList<>();
            for (Meter m : meters.getMeters()) {
                m.getId().getTags().forEach(t -> tagValues.add(t.getValue()));
            }
            assertThat(tagValues).as("metric tags carry the configured name, never the URL")
                    .noneMatch(v -> v.contains("127.0.0.1") || v.contains("http://"));
            var backends = gateway.getBean("backendsHealthContributor",
                    org.springframework.boot.health.contributor.CompositeHealthContributor.class);
            var indicator = (org.springframework.boot.health.contributor.HealthIndicator) backends
                    .getContributor("gpu-a");
            assertThat(indicator.health().getDetails()).as("its own health indicator").containsEntry("breaker",
                    "CLOSED");
        }
    }

    @Test
    void ofTwoEndpointsTheRouterPrefersTheOneWithTheShorterWait() throws Exception {
        try (FakeVllmOmniServer busy = RemoteGateway.fake(); FakeVllmOmniServer idle = RemoteGateway.fake()) {
            List<String> engines = new ArrayList<>(RemoteGateway.engine(0, "gpu-a", busy.baseUrl(), "wan-5b-a"));
            engines.addAll(RemoteGateway.engine(1, "gpu-b", idle.baseUrl(), "wan-5b-b"));
            try (ConfigurableApplicationContext gateway = RemoteGateway.start("remote-load", RemoteGateway.results(),
                    engines)) {
                Http http = RemoteGateway.http(gateway);
                // Three jobs named for gpu-a's model queue there (one worker, about 4 s each).
                for (int i = 0; i < 3; i++) {
                    RemoteGateway.create(http, "{\"prompt\":\"queued " + i + "\",\"model\":\"wan-5b-a\"}");
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> busy.creations().size() == 3);

                JsonNode route = RemoteGateway.create(http, "{\"prompt\":\"who is free?\",\"seconds\":\"5\"}")
                        .path("route");
                assertThat(route.path("backend").asString()).as(route.toString()).isEqualTo("gpu-b");
                JsonNode candidates = route.path("candidates");
                assertThat(candidates.get(0).path("backend").asString()).isEqualTo("gpu-b");
                assertThat(candidates.get(1).path("backend").asString()).isEqualTo("gpu-a");
                assertThat(candidates.get(1).path("estimated_seconds").asLong())
                        .as("gpu-a's estimate includes its queue")
                        .isGreaterThan(candidates.get(0).path("estimated_seconds").asLong());
                await().atMost(Duration.ofSeconds(20)).until(() -> idle.creations().size() == 1);
            }
        }
    }
}
