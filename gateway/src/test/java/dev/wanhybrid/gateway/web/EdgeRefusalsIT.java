package dev.wanhybrid.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.e2e.support.ApiTestBase;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.RecordingLedger;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import dev.wanhybrid.gateway.jobs.JobStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * What an attacker or a careless client can send to either API: bodies and prompts far over the limits, fields of
 * the wrong type, bodies in the wrong charset, broken images, URLs and headers the servlet container refuses
 * itself. Each answer is a 4xx in the path's protocol shape naming the field, nothing is stored, and the gateway
 * stays healthy with a flat heap.
 */
class EdgeRefusalsIT extends ApiTestBase {

    private static final String FACADE = "/api/v1/services/aigc/video-generation/video-synthesis";
    private static final long FIFTY_MB = 50L * 1024 * 1024;

    @LocalServerPort
    int port;

    @Autowired
    JobStore store;

    @Autowired
    RecordingLedger ledger;

    Http alpha;
    RawHttp raw;

    @BeforeEach
    void setUp() {
        alpha = new Http(port, TestBackends.ALPHA_KEY);
        raw = new RawHttp(port);
    }

    @AfterEach
    void resetLedger() {
        ledger.reset();
    }

    private static Map<String, String> headers(String... kv) {
        return RawHttp.bearer(TestBackends.ALPHA_KEY, kv);
    }

    private int jobCount() {
        return store.list("alpha", null, 1000, true).size();
    }

    private Http.Reply facade(String json) {
        return alpha.send(alpha.request(FACADE).header("Content-Type", "application/json")
                .header("X-DashScope-Async", "enable")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static void assertOpenAi(String body, int status, int actual, String param, String code) throws Exception {
        assertThat(actual).as(body).isEqualTo(status);
        JsonNode error = Http.JSON.readTree(body).path("error");
        assertThat(error.isObject()).as(body).isTrue();
        assertThat(error.has("type") && error.has("message") && error.has("param") && error.has("code")).isTrue();
        if (param != null) {
            assertThat(error.path("param").asString()).as(body).isEqualTo(param);
        }
        if (code != null) {
            assertThat(error.path("code").asString()).as(body).isEqualTo(code);
        }
    }

    private static void assertDashScope(String body, int status, int actual, String code, String field)
            throws Exception {
        assertThat(actual).as(body).isEqualTo(status);
        JsonNode json = Http.JSON.readTree(body);
        assertThat(json.path("request_id").isString()).as(body).isTrue();
        assertThat(json.path("code").asString()).as(body).isEqualTo(code);
        if (field != null) {
            assertThat(json.path("message").asString()).as(body).startsWith(field);
        }
        assertThat(json.has("error")).as("not the OpenAI envelope").isFalse();
    }

    @Test
    void fiftyMegabyteBodiesToBothApisAreRefusedUnreadAndTheHeapStaysFlat() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        int jobsBefore = jobCount();
        // Warm up the paths once so class loading is not counted as growth.
        alpha.postJson("/v1/videos", "{\"prompt\": 5}");
        facade("{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":5}}");
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();

        long offered = 0;
        for (int i = 0; i < 2; i++) {
            AtomicLong sent = new AtomicLong();
            RawHttp.Answer v1 = raw.send("POST", "/v1/videos", headers("Content-Type", "application/json",
                    "Content-Length", Long.toString(FIFTY_MB)), RawHttp.streamed("{\"prompt\":\"", FIFTY_MB,
                    (byte) 'a', sent));
            assertOpenAi(v1.body(), 413, v1.status(), null, "request_too_large");
            AtomicLong sentChunked = new AtomicLong();
            RawHttp.Answer ds = raw.send("POST", FACADE, headers("Content-Type", "application/json",
                    "X-DashScope-Async", "enable", "Content-Length", Long.toString(FIFTY_MB)),
                    RawHttp.streamed("{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"", FIFTY_MB,
                            (byte) 'a', sentChunked));
            assertDashScope(ds.body(), 413, ds.status(), "BadRequest.TooLarge", null);
            offered += 2 * FIFTY_MB;
        }
        // Without a Content-Length the body is read up to the limit and no further.
        RawHttp.Answer chunked = raw.send("POST", FACADE, headers("Content-Type", "application/json",
                "X-DashScope-Async", "enable", "Transfer-Encoding", "chunked"), out -> {
                    try {
                        byte[] block = new byte[32 * 1024];
                        java.util.Arrays.fill(block, (byte) 'a');
                        String size = Integer.toHexString(block.length) + "\r\n";
                        for (int i = 0; i < 1600; i++) {
                            out.write(size.getBytes());
                            out.write(block);
                            out.write("\r\n".getBytes());
                        }
                        out.write("0\r\n\r\n".getBytes());
                    } catch (java.io.IOException e) {
                        // closed after the answer
                    }
                });
        assertDashScope(chunked.body(), 413, chunked.status(), "BadRequest.TooLarge", null);

        System.gc();
        long after = memory.getHeapMemoryUsage().getUsed();
        System.out.printf("oversized bodies: offered %d MB, heap used before %d MB, after %d MB%n",
                offered >> 20, before >> 20, after >> 20);
        assertThat(after - before).as("heap growth after %d MB offered", offered >> 20).isLessThan(32L << 20);
        assertThat(jobCount()).isEqualTo(jobsBefore);
        Http.Reply health = new Http(port, null).get("/actuator/health/liveness");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asString()).isEqualTo("UP");
    }

    @Test
    void promptsOverTheLimitsAreRefusedNamingTheField() throws Exception {
        int jobsBefore = jobCount();
        Http.Reply v1 = alpha.postJson("/v1/videos", "{\"prompt\":\"" + "a".repeat(4001) + "\"}");
        assertOpenAi(v1.body(), 400, v1.status(), "prompt", "string_above_max_length");
        Http.Reply v1Huge = alpha.postJson("/v1/videos", "{\"prompt\":\"" + "a".repeat(100_000) + "\"}");
        assertOpenAi(v1Huge.body(), 413, v1Huge.status(), null, "request_too_large");

        // wan2.1 models take 800 characters, wan2.5/2.6 1500 (DashScope would cut a longer prompt silently).
        Http.Reply turbo = facade("{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"" + "a".repeat(801)
                + "\"}}");
        assertDashScope(turbo.body(), 400, turbo.status(), "InvalidParameter", "input.prompt");
        Http.Reply wan26 = facade("{\"model\":\"wan2.6-t2v\",\"input\":{\"prompt\":\"" + "a".repeat(1501) + "\"}}");
        assertDashScope(wan26.body(), 400, wan26.status(), "InvalidParameter", "input.prompt");
        Http.Reply huge = facade("{\"model\":\"wan2.6-t2v\",\"input\":{\"prompt\":\"" + "a".repeat(100_000)
                + "\"}}");
        assertDashScope(huge.body(), 413, huge.status(), "BadRequest.TooLarge", null);
        Http.Reply negative = facade("{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\","
                + "\"negative_prompt\":\"" + "n".repeat(501) + "\"}}");
        assertDashScope(negative.body(), 400, negative.status(), "InvalidParameter", "input.negative_prompt");
        assertThat(jobCount()).isEqualTo(jobsBefore);
    }

    @Test
    void facadeFieldsOfTheWrongTypeOrRangeAreInvalidParameterNamingTheField() throws Exception {
        int jobsBefore = jobCount();
        String[][] cases = {
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":5}}", "input.prompt"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\"},\"parameters\":\"x\"}", "parameters"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\"},\"parameters\":{\"seed\":\"7\"}}",
                "parameters.seed"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\"},\"parameters\":{\"seed\":-1}}",
                "parameters.seed"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\"},\"parameters\":{\"seed\":2147483648}}",
                "parameters.seed"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\"},\"parameters\":{\"duration\":\"5\"}}",
                "parameters.duration"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\"},\"parameters\":{\"duration\":1.5}}",
                "parameters.duration"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\"},\"parameters\":{\"watermark\":\"no\"}}",
                "parameters.watermark"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\"},\"parameters\":{\"size\":[832,480]}}",
                "parameters.size"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\",\"img_url\":{}}}", "input.img_url"},
            {"{\"model\":\"wan2.1-t2v-turbo\",\"input\":\"x\"}", "input"},
            {"{\"model\":7,\"input\":{\"prompt\":\"x\"}}", "model"},
        };
        for (String[] c : cases) {
            Http.Reply reply = facade(c[0]);
            assertDashScope(reply.body(), 400, reply.status(), "InvalidParameter", c[1]);
        }
        assertThat(jobCount()).isEqualTo(jobsBefore);
    }

    @Test
    void aBodyInAnotherCharsetOrABrokenImageIsRefused() throws Exception {
        Http.Reply utf16 = alpha.post("/v1/videos", "application/json; charset=utf-16",
                "{\"prompt\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertOpenAi(utf16.body(), 415, utf16.status(), null, "unsupported_charset");
        Http.Reply facadeUtf16 = alpha.send(alpha.request(FACADE).header("Content-Type",
                "application/json; charset=UTF-16").header("X-DashScope-Async", "enable")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"wan2.1-t2v-turbo\","
                        + "\"input\":{\"prompt\":\"x\"}}")).build());
        assertDashScope(facadeUtf16.body(), 415, facadeUtf16.status(), "InvalidParameter", null);

        byte[] fake = new byte[64];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, fake, 0, 8);
        Http.Multipart form = new Http.Multipart().field("prompt", "x").file("input_reference", "a.png", "image/png",
                fake);
        Http.Reply image = alpha.post("/v1/videos", form.contentType(), form.build());
        assertOpenAi(image.body(), 400, image.status(), "input_reference", "invalid_image");
    }

    @Test
    void whatTheContainerRefusesAnswersInTheProtocolsShape() throws Exception {
        for (String target : new String[] {"/v1/videos?after=%ff", "/v1/videos?after=%", "/v1/videos/a%2fb",
            "/v1/videos/%", "/v1/videos/%zz", "/v1/videos/" + "a".repeat(10_000)}) {
            RawHttp.Answer a = raw.send("GET", target, headers());
            assertThat(a.status()).as(target).isBetween(400, 499);
            assertOpenAi(a.body(), a.status(), a.status(), null, null);
            assertThat(a.headers().get("content-type")).as(target).startsWith("application/json");
        }
        RawHttp.Answer longBearer = raw.send("GET", "/v1/videos", Map.of("Authorization",
                "Bearer " + "k".repeat(10_000)));
        assertOpenAi(longBearer.body(), 401, longBearer.status(), null, "invalid_api_key");
        RawHttp.Answer longFacadeBearer = raw.send("GET", "/api/v1/tasks/x", Map.of("Authorization",
                "Bearer " + "k".repeat(10_000)));
        assertDashScope(longFacadeBearer.body(), 401, longFacadeBearer.status(), "InvalidApiKey", null);

        for (String target : new String[] {"/api/v1/tasks/%", "/api/v1/tasks/a%2fb", "/api/v1/tasks/%ff%fe"}) {
            RawHttp.Answer a = raw.send("GET", target, headers());
            assertThat(a.status()).as(target).isBetween(400, 499);
            assertDashScope(a.body(), a.status(), a.status(), a.status() == 404 ? "NotFound" : "InvalidParameter",
                    null);
        }
        RawHttp.Answer unknown = raw.send("GET", "/api/v1/no-such-route", headers());
        assertDashScope(unknown.body(), 404, unknown.status(), "NotFound", null);
        RawHttp.Answer method = raw.send("PUT", "/api/v1/tasks/x", headers("Content-Length", "0"));
        assertDashScope(method.body(), 405, method.status(), "MethodNotAllowed", null);
        assertThat(method.headers().get("content-type")).startsWith("application/json");
    }

    @Test
    void budgetRefusalsAre402OnV1AndArrearageOnTheFacade() throws Exception {
        ledger.refuse(TestBackends.LOCAL);
        ledger.refuse(TestBackends.CLOUD);
        int jobsBefore = jobCount();

        Http.Reply v1 = alpha.postJson("/v1/videos", "{\"prompt\":\"x\"}");
        assertOpenAi(v1.body(), 402, v1.status(), null, "budget_exceeded");
        assertThat(v1.json().path("error").path("type").asString()).isEqualTo("insufficient_quota");
        assertThat(v1.header("Retry-After")).as("retrying cannot help").isNull();

        Http.Reply ds = facade("{\"model\":\"wan2.1-t2v-turbo\",\"input\":{\"prompt\":\"x\"}}");
        assertDashScope(ds.body(), 400, ds.status(), "Arrearage", null);
        assertThat(ds.json().path("message").asString()).contains("tenant:alpha/day");
        assertThat(jobCount()).isEqualTo(jobsBefore);
    }
}
