package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.e2e.support.ApiTestBase;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import dev.wanhybrid.gateway.jobs.JobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A corpus of malformed, oversized, mistyped and unsafe requests: each must get a 4xx OpenAI error envelope that
 * names the field at fault, and none may leave a job or a stored file behind.
 */
class BadRequestCorpusIT extends ApiTestBase {

    @LocalServerPort
    int port;

    @Autowired
    JobStore store;

    Http alpha;

    @BeforeEach
    void setUp() {
        alpha = new Http(port, TestBackends.ALPHA_KEY);
    }

    /** One bad request: how to send it, the status, and the {@code param} the envelope must name. */
    record Case(String name, String method, String path, String contentType, byte[] body, int status, String param) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Case json(String name, String body, String param) {
        return new Case(name, "POST", "/v1/videos", "application/json", body.getBytes(), 400, param);
    }

    static Case json(String name, String body, int status, String param) {
        return new Case(name, "POST", "/v1/videos", "application/json", body.getBytes(), status, param);
    }

    static Case get(String name, String path, int status, String param) {
        return new Case(name, "GET", path, null, null, status, param);
    }

    static Case multipart(String name, Http.Multipart form, int status, String param) {
        byte[] body = form.build();
        return new Case(name, "POST", "/v1/videos", form.contentType(), body, status, param);
    }

    static byte[] png() {
        try (InputStream in = BadRequestCorpusIT.class.getResourceAsStream("/fixtures/api/frame.png")) {
            return Objects.requireNonNull(in).readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<Case> corpus() {
        List<Case> c = new ArrayList<>();
        // prompt
        c.add(json("missing prompt", "{}", "prompt"));
        c.add(json("null prompt", "{\"prompt\": null}", "prompt"));
        c.add(json("numeric prompt", "{\"prompt\": 5}", "prompt"));
        c.add(json("empty prompt", "{\"prompt\": \"\"}", "prompt"));
        c.add(json("blank prompt", "{\"prompt\": \"   \"}", "prompt"));
        c.add(json("prompt too long", "{\"prompt\": \"" + "a".repeat(4001) + "\"}", "prompt"));
        c.add(json("prompt array", "{\"prompt\": [\"a\"]}", "prompt"));
        c.add(json("prompt with NUL", "{\"prompt\": \"a\\u0000b\"}", "prompt"));
        c.add(json("unknown top-level field", "{\"prompt\": \"x\", \"quality\": \"max\"}", "quality"));
        // model
        c.add(json("numeric model", "{\"prompt\": \"x\", \"model\": 7}", "model"));
        c.add(json("model with path characters", "{\"prompt\": \"x\", \"model\": \"../etc/passwd\"}", "model"));
        c.add(json("unknown model", "{\"prompt\": \"x\", \"model\": \"no-such-model\"}", "model"));
        // seconds
        c.add(json("seconds not a number", "{\"prompt\": \"x\", \"seconds\": \"abc\"}", "seconds"));
        c.add(json("zero seconds", "{\"prompt\": \"x\", \"seconds\": 0}", "seconds"));
        c.add(json("negative seconds", "{\"prompt\": \"x\", \"seconds\": \"-5\"}", "seconds"));
        c.add(json("too many seconds", "{\"prompt\": \"x\", \"seconds\": \"61\"}", "seconds"));
        c.add(json("fractional seconds", "{\"prompt\": \"x\", \"seconds\": 5.5}", "seconds"));
        c.add(json("boolean seconds", "{\"prompt\": \"x\", \"seconds\": true}", "seconds"));
        // size
        c.add(json("size word", "{\"prompt\": \"x\", \"size\": \"big\"}", "size"));
        c.add(json("numeric size", "{\"prompt\": \"x\", \"size\": 1280}", "size"));
        c.add(json("half a size", "{\"prompt\": \"x\", \"size\": \"1280x\"}", "size"));
        c.add(json("tiny size", "{\"prompt\": \"x\", \"size\": \"10x10\"}", "size"));
        c.add(json("huge size", "{\"prompt\": \"x\", \"size\": \"99999x720\"}", "size"));
        c.add(json("zero width", "{\"prompt\": \"x\", \"size\": \"0x720\"}", "size"));
        // negative prompt, seed
        c.add(json("numeric negative prompt", "{\"prompt\": \"x\", \"negative_prompt\": 1}", "negative_prompt"));
        c.add(json("negative prompt too long",
                "{\"prompt\": \"x\", \"negative_prompt\": \"" + "n".repeat(2001) + "\"}", "negative_prompt"));
        c.add(json("seed as text", "{\"prompt\": \"x\", \"seed\": \"abc\"}", "seed"));
        c.add(json("negative seed", "{\"prompt\": \"x\", \"seed\": -1}", "seed"));
        c.add(json("fractional seed", "{\"prompt\": \"x\", \"seed\": 1.5}", "seed"));
        c.add(json("seed above 32 bits", "{\"prompt\": \"x\", \"seed\": 99999999999}", "seed"));
        // input_reference
        c.add(json("numeric input_reference", "{\"prompt\": \"x\", \"input_reference\": 3}", "input_reference"));
        c.add(json("input_reference without url", "{\"prompt\": \"x\", \"input_reference\": {}}",
                "input_reference.image_url"));
        c.add(json("input_reference url not text", "{\"prompt\": \"x\", \"input_reference\": {\"image_url\": 5}}",
                "input_reference.image_url"));
        c.add(json("input_reference ftp", "{\"prompt\": \"x\", \"input_reference\": {\"image_url\": \"ftp://h/a.png\"}}",
                "input_reference.image_url"));
        c.add(json("input_reference not a URL",
                "{\"prompt\": \"x\", \"input_reference\": {\"image_url\": \"not a url\"}}", "input_reference.image_url"));
        c.add(json("input_reference file_id", "{\"prompt\": \"x\", \"input_reference\": {\"file_id\": \"f\"}}",
                "input_reference.file_id"));
        // audio
        c.add(json("audio as word", "{\"prompt\": \"x\", \"audio\": \"yes\"}", "audio"));
        c.add(json("audio file URL", "{\"prompt\": \"x\", \"audio\": {\"url\": \"file:///etc/passwd\"}}", "audio.url"));
        c.add(json("audio object without url", "{\"prompt\": \"x\", \"audio\": {}}", "audio.url"));
        c.add(json("audio unknown field", "{\"prompt\": \"x\", \"audio\": {\"volume\": 1}}", "audio.volume"));
        c.add(json("audio with local_only", "{\"prompt\": \"x\", \"audio\": true, \"routing\": {\"local_only\": true}}",
                422, "audio"));
        // webhook_url
        c.add(json("numeric webhook", "{\"prompt\": \"x\", \"webhook_url\": 5}", "webhook_url"));
        c.add(json("javascript webhook", "{\"prompt\": \"x\", \"webhook_url\": \"javascript:alert(1)\"}", "webhook_url"));
        c.add(json("webhook with credentials", "{\"prompt\": \"x\", \"webhook_url\": \"http://u:p@hooks.test/\"}",
                "webhook_url"));
        // routing
        c.add(json("routing as text", "{\"prompt\": \"x\", \"routing\": \"cloud\"}", "routing"));
        c.add(json("unknown backend", "{\"prompt\": \"x\", \"routing\": {\"backend\": \"gpu\"}}", "routing.backend"));
        c.add(json("unknown objective", "{\"prompt\": \"x\", \"routing\": {\"objective\": \"speed\"}}",
                "routing.objective"));
        c.add(json("negative max cost", "{\"prompt\": \"x\", \"routing\": {\"max_cost_usd\": -1}}",
                "routing.max_cost_usd"));
        c.add(json("max cost as word", "{\"prompt\": \"x\", \"routing\": {\"max_cost_usd\": \"cheap\"}}",
                "routing.max_cost_usd"));
        c.add(json("zero deadline", "{\"prompt\": \"x\", \"routing\": {\"deadline_seconds\": 0}}",
                "routing.deadline_seconds"));
        c.add(json("deadline as word", "{\"prompt\": \"x\", \"routing\": {\"deadline_seconds\": \"soon\"}}",
                "routing.deadline_seconds"));
        c.add(json("local_only as word", "{\"prompt\": \"x\", \"routing\": {\"local_only\": \"yes\"}}",
                "routing.local_only"));
        c.add(json("local_only pinned to cloud",
                "{\"prompt\": \"x\", \"routing\": {\"local_only\": true, \"backend\": \"cloud\"}}", "routing.local_only"));
        c.add(json("unknown routing field", "{\"prompt\": \"x\", \"routing\": {\"gpu\": 1}}", "routing.gpu"));
        // body shape
        c.add(json("truncated JSON", "{\"prompt\": ", null));
        c.add(json("JSON array", "[]", null));
        c.add(json("JSON string", "\"hello\"", null));
        c.add(json("empty body", "", null));
        c.add(json("body too large", "{\"prompt\": \"" + "a".repeat(70_000) + "\"}", 413, null));
        c.add(new Case("text/plain body", "POST", "/v1/videos", "text/plain", "prompt=x".getBytes(), 415, null));
        // multipart
        c.add(multipart("upload that is not an image", new Http.Multipart().field("prompt", "x")
                .file("input_reference", "a.png", "image/png", "not an image at all".getBytes()), 400, "input_reference"));
        c.add(multipart("upload declared jpeg but png", new Http.Multipart().field("prompt", "x")
                .file("input_reference", "a.jpg", "image/jpeg", png()), 400, "input_reference"));
        c.add(multipart("upload too large", new Http.Multipart().field("prompt", "x")
                .file("input_reference", "big.png", "image/png", new byte[10 * 1024 * 1024 + 10]), 413, "input_reference"));
        c.add(multipart("unexpected file part", new Http.Multipart().field("prompt", "x")
                .file("video", "v.mp4", "video/mp4", new byte[] {1, 2, 3}), 400, "video"));
        c.add(multipart("multipart seconds not a number", new Http.Multipart().field("prompt", "x")
                .field("seconds", "abc"), 400, "seconds"));
        c.add(multipart("multipart without prompt", new Http.Multipart().field("seconds", "5"), 400, "prompt"));
        c.add(multipart("multipart routing not JSON", new Http.Multipart().field("prompt", "x")
                .field("routing", "{bad"), 400, "routing"));
        c.add(multipart("multipart url and upload", new Http.Multipart().field("prompt", "x")
                .field("input_reference", "https://images.test/a.png")
                .file("input_reference", "a.png", "image/png", png()), 400, "input_reference"));
        // list and content parameters
        c.add(get("list limit zero", "/v1/videos?limit=0", 400, "limit"));
        c.add(get("list limit word", "/v1/videos?limit=many", 400, "limit"));
        c.add(get("list limit too big", "/v1/videos?limit=101", 400, "limit"));
        c.add(get("list order sideways", "/v1/videos?order=sideways", 400, "order"));
        c.add(get("list cursor garbage", "/v1/videos?after=garbage", 400, "after"));
        c.add(get("list cursor unknown", "/v1/videos?after=video_00000000000000000000000000000000", 400, "after"));
        c.add(get("retrieve malformed id", "/v1/videos/not-an-id", 404, "id"));
        c.add(get("retrieve unknown id", "/v1/videos/video_00000000000000000000000000000000", 404, "id"));
        c.add(get("content bad variant", "/v1/videos/video_00000000000000000000000000000000/content?variant=gif", 400,
                "variant"));
        c.add(get("events unknown id", "/v1/videos/video_00000000000000000000000000000000/events", 404, "id"));
        // SSRF: checked by the routing package's UrlGuard; none of these is ever contacted.
        String[] ssrf = {
            "http://127.0.0.1/a.png", "http://127.1/a.png", "http://2130706433/a.png", "http://0x7f000001/a.png",
            "http://0177.0.0.1/a.png", "http://[::1]/a.png", "http://[::ffff:127.0.0.1]/a.png", "http://0.0.0.0/a.png",
            "http://localhost/a.png", "http://foo.localhost/a.png", "http://10.0.0.5/a.png", "http://172.16.3.4/a.png",
            "http://192.168.1.1/a.png", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/a.png",
            "http://[fd00::1]/a.png", "http://metadata.google.internal/computeMetadata/v1/",
            "http://100.100.100.200/latest/meta-data/", "http://[::]/a.png", "http://224.0.0.1/a.png",
        };
        for (int i = 0; i < ssrf.length; i++) {
            String field = i % 3 == 0 ? "webhook_url" : i % 3 == 1 ? "input_reference.image_url" : "audio.url";
            String body = switch (field) {
                case "webhook_url" -> "{\"prompt\": \"x\", \"webhook_url\": \"" + ssrf[i] + "\"}";
                case "input_reference.image_url" ->
                        "{\"prompt\": \"x\", \"input_reference\": {\"image_url\": \"" + ssrf[i] + "\"}}";
                default -> "{\"prompt\": \"x\", \"audio\": {\"url\": \"" + ssrf[i] + "\"}}";
            };
            c.add(json("SSRF " + field + " " + ssrf[i], body, field));
        }
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aBadRequestGetsA4xxEnvelopeNamingTheFieldAndStoresNothing(Case bad) throws IOException {
        long jobsBefore = store.countJobs();
        long filesBefore = countFiles();
        Http.Reply reply = switch (bad.method()) {
            case "GET" -> alpha.get(bad.path());
            default -> alpha.post(bad.path(), bad.contentType(), bad.body());
        };
        assertThat(reply.status()).as(reply.body()).isEqualTo(bad.status());
        JsonNode error = reply.json().path("error");
        assertThat(error.isObject()).as("envelope in %s", reply.body()).isTrue();
        assertThat(error.path("message").asString()).isNotBlank().doesNotContain("Exception").doesNotContain("at dev.");
        assertThat(error.path("type").asString()).isNotBlank();
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        if (bad.param() == null) {
            assertThat(error.path("param").isNull()).as(reply.body()).isTrue();
        } else {
            assertThat(error.path("param").asString()).as(reply.body()).isEqualTo(bad.param());
        }
        assertThat(store.countJobs()).isEqualTo(jobsBefore);
        assertThat(countFiles()).isEqualTo(filesBefore);
    }

    @org.junit.jupiter.api.Test
    void theCorpusHasAtLeastFiftyRequestsAndTwentySsrfUrls() {
        List<Case> all = corpus().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(50);
        assertThat(all.stream().filter(c -> c.name().startsWith("SSRF"))).hasSizeGreaterThanOrEqualTo(20);
    }

    private static long countFiles() throws IOException {
        try (Stream<java.nio.file.Path> files = Files.walk(RESULTS)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
