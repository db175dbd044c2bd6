package dev.wanhybrid.gateway.backend.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.GatewayApplication;
import dev.wanhybrid.gateway.demo.FakeVllmOmniServer;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.tenant.TenantDirectory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** A whole gateway on loopback with remote engines pointed at fake vLLM-Omni servers, for the remote-engine ITs. */
final class RemoteGateway {

    static final String KEY = "sk-remote-test";
    static final String SERVED = "Wan-AI/Wan2.2-TI2V-5B-Diffusers";
    /** 20 steps x 81 frames (5 s at 16 fps, plus one) = 1,620 step-frames: 0.0025 s each makes a 4 s job. */
    static final double SECONDS_PER_STEP_FRAME = 0.0025;

    private RemoteGateway() {}

    static FakeVllmOmniServer fake() {
        return new FakeVllmOmniServer(Set.of(SERVED), SECONDS_PER_STEP_FRAME, "sk-vllm").start();
    }

    /** The arguments of one engine, {@code name} serving the model {@code model} (a 5 s, 832x480, 20-step Wan). */
    static List<String> engine(int index, String name, URI url, String model) {
        return engine(index, name, url, model, "t2v", List.of());
    }

    /** As {@link #engine(int, String, URI, String)}, with the model's kinds ({@code t2v,i2v}) and LoRA names. */
    static List<String> engine(int index, String name, URI url, String model, String kinds, List<String> loras) {
        String e = "--gateway.remote-engines[" + index + "].";
        String m = e + "models[0].";
        List<String> args = new ArrayList<>(List.of(e + "name=" + name, e + "base-url=" + url, e + "api-key=sk-vllm", e + "max-concurrent=8",
                e + "request-timeout=2s", e + "unreachable-after=3s",
                e + "gpu.gpu=h100", e + "gpu.count=2",
                e + "gpu.owned.capex-per-gpu=30000", e + "gpu.owned.busy-watts-per-gpu=700",
                e + "gpu.owned.idle-watts-per-gpu=100", e + "gpu.owned.energy-per-kwh=0.20",
                m + "id=" + model, m + "served-name=" + SERVED, m + "kinds=" + kinds, m + "sizes=832x480,1280x704",
                m + "max-seconds=5", m + "fps=16", m + "audio=true", m + "steps=20", m + "guidance-scale=5.0",
                m + "service-time-per-second=1s"));
        for (int i = 0; i < loras.size(); i++) {
            args.add(m + "loras[" + i + "]=" + loras.get(i));
        }
        return args;
    }

    static ConfigurableApplicationContext start(String db, Path results, List<String> extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1",
                "--gateway.storage.local.root=" + results,
                "--gateway.jobs.tick=50ms", "--gateway.jobs.poll-min=100ms", "--gateway.jobs.poll-max=300ms",
                "--gateway.jobs.instance-id=" + db,
                "--gateway.tenants[0].id=remote",
                "--gateway.tenants[0].api-key-sha256=" + TenantDirectory.sha256Hex(KEY),
                "--gateway.tenants[0].rate-limit.limit=1000"));
        args.addAll(extra);
        // Command-line arguments, so they win over every configuration file.
        return new SpringApplicationBuilder(GatewayApplication.class).run(args.toArray(String[]::new));
    }

    static Path results() throws java.io.IOException {
        return Files.createTempDirectory("remote-results");
    }

    static Http http(ConfigurableApplicationContext context) {
        return new Http(((WebServerApplicationContext) context).getWebServer().getPort(), KEY);
    }

    /** {@code POST /v1/videos}; asserts it was accepted and returns the video object. */
    static JsonNode create(Http http, String json) {
        Http.Reply reply = http.postJson("/v1/videos", json);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static JsonNode video(Http http, String id) {
        return http.get("/v1/videos/" + id).json();
    }

    static boolean finished(Http http, String id) {
        String status = video(http, id).path("status").asString();
        return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
    }
}
