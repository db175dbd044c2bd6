package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.engine.VideoStills;
import dev.wanhybrid.gateway.e2e.support.ApiTestBase;
import dev.wanhybrid.gateway.e2e.support.FfmpegPrograms;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.RecordingLedger;
import dev.wanhybrid.gateway.e2e.support.ScriptedBackend;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobStore;
import dev.wanhybrid.gateway.preview.VideoVariant;
import dev.wanhybrid.gateway.storage.ResultStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The /v1/videos API end to end over HTTP, with scripted backends behind the real dispatcher and job store. */
class VideosApiIT extends ApiTestBase {

    @LocalServerPort
    int port;

    @Autowired
    TestBackends.Scripted backends;

    @Autowired
    RecordingLedger ledger;

    @Autowired
    JobStore store;

    @Autowired
    ResultStore results;

    @Autowired
    MeterRegistry meters;

    Http alpha;

    @BeforeEach
    void setUp() {
        backends.reset();
        ledger.reset();
        alpha = new Http(port, TestBackends.ALPHA_KEY);
    }

    private JsonNode create(String json) {
        Http.Reply reply = alpha.postJson("/v1/videos", json);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private JsonNode awaitStatus(String id, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = alpha.get("/v1/videos/" + id).json();
            return status.equals(last[0].path("status").asString());
        });
        return last[0];
    }

    @Test
    void createdVideoRunsToCompletionAndItsMp4DownloadsWholeAndByRange() {
        JsonNode created = create("{\"prompt\": \"a red fox in snow\", \"seconds\": \"5\", \"size\": \"832x480\"}");
        assertThat(created.path("id").asString()).matches("video_[0-9a-f]{32}");
        assertThat(created.path("object").asString()).isEqualTo("video");
        assertThat(created.path("status").asString()).isEqualTo("queued");
        assertThat(created.path("route").path("backend").asString()).isEqualTo(TestBackends.LOCAL);
        assertThat(created.path("route").path("reason").asString()).isEqualTo("cheapest");
        assertThat(created.path("route").path("estimated_cost_usd").decimalValue()).isEqualByComparingTo("0.010");

        String id = created.path("id").asString();
        JsonNode done = awaitStatus(id, "completed");
        assertThat(done.path("progress").asInt()).isEqualTo(100);
        assertThat(done.path("cost_usd").decimalValue()).isEqualByComparingTo("0.012");
        assertThat(done.path("completed_at").asLong()).isPositive();
        assertThat(done.path("expires_at").asLong()).isGreaterThan(done.path("completed_at").asLong());
        assertThat(ledger.settleCalls(id)).isEqualTo(1);

        byte[] mp4 = ScriptedBackend.tinyMp4();
        HttpResponse<byte[]> whole = alpha.getBytes("/v1/videos/" + id + "/content", null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(whole.body()).isEqualTo(mp4);

        HttpResponse<byte[]> part = alpha.getBytes("/v1/videos/" + id + "/content", "bytes=100-199");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 100-199/" + mp4.length);
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(mp4, 100, 200));

        HttpResponse<byte[]> tail = alpha.getBytes("/v1/videos/" + id + "/content", "bytes=-10");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(mp4, mp4.length - 10, mp4.length));

        HttpResponse<byte[]> beyond = alpha.getBytes("/v1/videos/" + id + "/content", "bytes=999999-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */" + mp4.length);

        assertThat(meters.get("gateway.jobs.finished").tags("backend", TestBackends.LOCAL, "outcome", "completed").counter()
                .count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void multipartCreateWithAnUploadedImageBecomesImageToVideo() throws Exception {
        byte[] png;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/api/frame.png")) {
            png = Objects.requireNonNull(in).readAllBytes();
        }
        Http.Multipart form = new Http.Multipart().field("prompt", "the fox starts running").field("seconds", "5")
                .field("routing[backend]", "local").file("input_reference", "frame.png", "image/png", png);
        Http.Reply reply = alpha.post("/v1/videos", form.contentType(), form.build());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        Job job = store.find(reply.json().path("id").asString()).orElseThrow();
        assertThat(job.spec().kind()).isEqualTo(TaskKind.I2V);
        assertThat(job.spec().inputImage().getScheme()).isEqualTo("upload");
        assertThat(results.stat(job.spec().inputImage().getSchemeSpecificPart())).isPresent();
        assertThat(job.route().candidates()).extracting(c -> c.backend()).containsExactly(TestBackends.LOCAL);
    }

    @Test
    void listingPagesThroughATenantsVideosWithACursor() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(create("{\"prompt\": \"clip " + i + "\"}").path("id").asString());
        }
        JsonNode first = alpha.get("/v1/videos?limit=2&order=asc&after=" + firstOfThisTenant()).json();
        assertThat(first.path("object").asString()).isEqualTo("list");
        JsonNode newest = alpha.get("/v1/videos?limit=2").json();
        assertThat(newest.path("data").get(0).path("id").asString()).isEqualTo(ids.get(2));
        assertThat(newest.path("data").get(1).path("id").asString()).isEqualTo(ids.get(1));
        assertThat(newest.path("has_more").asBoolean()).isTrue();
        assertThat(newest.path("last_id").asString()).isEqualTo(ids.get(1));
        JsonNode next = alpha.get("/v1/videos?limit=2&after=" + ids.get(1)).json();
        assertThat(next.path("data").get(0).path("id").asString()).isEqualTo(ids.get(0));
        assertThat(first.path("data").size()).isLessThanOrEqualTo(2);
    }

    private String firstOfThisTenant() {
        JsonNode all = alpha.get("/v1/videos?limit=1&order=asc").json();
        return all.path("data").get(0).path("id").asString();
    }

    @Test
    void anotherTenantsVideoAnswers404EverywhereAndIsNotCancelled() {
        String id = create("{\"prompt\": \"private\"}").path("id").asString();
        Http beta = new Http(port, TestBackends.BETA_KEY);
        Http.Reply reply = beta.get("/v1/videos/" + id);
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().path("error").path("code").asString()).isEqualTo("video_not_found");
        assertThat(beta.post("/v1/videos/" + id + "/cancel", null, new byte[0]).status()).isEqualTo(404);
        assertThat(beta.getBytes("/v1/videos/" + id + "/content", null).statusCode()).isEqualTo(404);
        assertThat(store.find(id).orElseThrow().cancelRequested()).isFalse();
    }

    @Test
    void cancellingARunningVideoStopsItAtTheBackendAndReleasesTheReservation() {
        backends.local().holdRunning(true);
        String id = create("{\"prompt\": \"long one\"}").path("id").asString();
        awaitStatus(id, "in_progress");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.find(id).orElseThrow().taskId() != null);
        Http.Reply cancel = alpha.post("/v1/videos/" + id + "/cancel", null, new byte[0]);
        assertThat(cancel.status()).isEqualTo(200);
        JsonNode cancelled = awaitStatus(id, "cancelled");
        assertThat(cancelled.path("error").path("code").asString()).isEqualTo("cancelled");
        assertThat(backends.local().cancels()).isEqualTo(1);
        assertThat(ledger.holdsReservation(id)).isFalse();
    }

    @Test
    void aRefusingBackendMakesTheJobFallBackToTheNextCandidateAndSaysWhy() {
        backends.local().script("fallback please", ScriptedBackend.Outcome.REFUSE);
        double before = fallbacks();
        // The cloud candidate costs 50 times the local estimate: max_cost_usd opts in to a fallback that dear.
        String id = create("{\"prompt\": \"fallback please\", \"routing\": {\"max_cost_usd\": 1}}").path("id")
                .asString();
        JsonNode done = awaitStatus(id, "completed");
        assertThat(done.path("route").path("backend").asString()).isEqualTo(TestBackends.CLOUD);
        JsonNode fallback = done.path("route").path("fallbacks").get(0);
        assertThat(fallback.path("from_backend").asString()).isEqualTo(TestBackends.LOCAL);
        assertThat(fallback.path("to_backend").asString()).isEqualTo(TestBackends.CLOUD);
        assertThat(fallback.path("reason").asString()).isEqualTo("refused");
        assertThat(fallbacks()).isEqualTo(before + 1);
        assertThat(backends.local().submissionsOf(id)).isZero();
        assertThat(backends.cloud().submissionsOf(id)).isEqualTo(1);
    }

    @Test
    void withoutAnOptInAJobWaitsForItsBackendRatherThanFallBackAboveItsCostCeilingAndSaysSo() throws Exception {
        backends.local().script("stay cheap", ScriptedBackend.Outcome.UNAVAILABLE, ScriptedBackend.Outcome.REFUSE,
                ScriptedBackend.Outcome.UNAVAILABLE);
        JsonNode created = create("{\"prompt\": \"stay cheap\"}");
        String id = created.path("id").asString();
        JsonNode rejected = created.path("route").path("rejected");
        assertThat(rejected.toString()).contains("over_cost_ceiling").contains(TestBackends.CLOUD);
        assertThat(created.path("route").path("candidates")).hasSize(1);

        JsonNode done = awaitStatus(id, "completed");

        assertThat(done.path("route").path("backend").asString()).isEqualTo(TestBackends.LOCAL);
        assertThat(done.path("route").path("fallbacks")).isEmpty();
        assertThat(backends.cloud().submissionsOf(id)).as("never sent to the dearer backend").isZero();
        assertThat(backends.local().submissionsOf(id)).as("accepted once, after the waits").isEqualTo(1);
        assertThat(done.path("cost_usd").decimalValue()).isLessThanOrEqualTo(new java.math.BigDecimal("0.015"));
        assertThat(done.path("backend_wait").isNull()).isTrue();
        // While it waited, the object (and so every SSE event and webhook) said for what and until when.
        List<JsonNode> waits = new ArrayList<>();
        for (var event : store.eventsAfter(List.of(id), 0, 100)) {
            JsonNode wait = Http.JSON.readTree(event.payload()).path("backend_wait");
            if (wait.isObject()) {
                waits.add(wait);
            }
        }
        assertThat(waits).isNotEmpty();
        assertThat(waits.getFirst().path("backend").asString()).isEqualTo(TestBackends.LOCAL);
        assertThat(waits.getFirst().path("next_attempt_at").asLong()).isGreaterThanOrEqualTo(
                created.path("created_at").asLong());
        assertThat(waits.getLast().path("attempts").asInt()).isPositive();
    }

    private double fallbacks() {
        var counter = meters.find("gateway.routing.fallbacks").tags("from", TestBackends.LOCAL, "to", TestBackends.CLOUD, "reason", "refused")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aLostAcceptanceIsReconciledAndNeverSubmittedTwice() {
        backends.cloud().script("cloud only", ScriptedBackend.Outcome.ACCEPT_BUT_LOSE_ANSWER);
        String id = create("{\"prompt\": \"cloud only\", \"routing\": {\"backend\": \"cloud\"}}").path("id").asString();
        awaitStatus(id, "completed");
        assertThat(backends.cloud().submissionsOf(id)).isEqualTo(1);
        assertThat(store.find(id).orElseThrow().taskId()).isEqualTo(TestBackends.CLOUD + "-task-" + id);
    }

    @Test
    void aLocalTaskLostWithItsEngineIsResubmittedLocally() {
        backends.local().holdRunning(true);
        String id = create("{\"prompt\": \"local\", \"routing\": {\"local_only\": true}}").path("id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.find(id).orElseThrow().taskId() != null);
        backends.local().forgetTasks();
        backends.local().holdRunning(false);
        awaitStatus(id, "completed");
        assertThat(backends.local().submissionsOf(id)).isEqualTo(2);
    }

    @Test
    void aBudgetCapSkipsToTheNextCandidateAndWithNoneLeftAnswers402() {
        ledger.refuse(TestBackends.LOCAL);
        JsonNode created = create("{\"prompt\": \"over budget locally\"}");
        assertThat(created.path("route").path("backend").asString()).isEqualTo(TestBackends.CLOUD);
        assertThat(created.path("route").path("rejected").toString()).contains("budget");

        ledger.refuse(TestBackends.CLOUD);
        long jobsBefore = store.countJobs();
        Http.Reply reply = alpha.postJson("/v1/videos", "{\"prompt\": \"over every cap\"}");
        assertThat(reply.status()).isEqualTo(402);
        assertThat(reply.json().path("error").path("code").asString()).isEqualTo("budget_exceeded");
        assertThat(reply.json().path("error").path("message").asString()).contains("tenant:alpha/day");
        assertThat(store.countJobs()).isEqualTo(jobsBefore);
    }

    @Test
    void aTenantOverItsRateLimitGets429WithRetryAfter() {
        Http gamma = new Http(port, TestBackends.GAMMA_KEY);
        List<Integer> statuses = new ArrayList<>();
        Http.Reply last = null;
        for (int i = 0; i < 4; i++) {
            last = gamma.get("/v1/videos");
            statuses.add(last.status());
        }
        assertThat(statuses).containsExactly(200, 200, 200, 429);
        assertThat(last.header("Retry-After")).isNotNull();
        assertThat(last.json().path("error").path("type").asString()).isEqualTo("rate_limit_error");
    }

    @Test
    void requestsWithoutAValidKeyGet401() {
        Http anonymous = new Http(port, null);
        assertThat(anonymous.get("/v1/videos").status()).isEqualTo(401);
        Http wrong = new Http(port, "sk-wrong");
        Http.Reply reply = wrong.get("/v1/videos");
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.json().path("error").path("code").asString()).isEqualTo("invalid_api_key");
    }

    @Test
    void deletingAVideoHidesItAndRemovesItsContent() throws Exception {
        String id = create("{\"prompt\": \"to be deleted\"}").path("id").asString();
        awaitStatus(id, "completed");
        String key = store.find(id).orElseThrow().resultKey();
        Http.Reply deleted = alpha.delete("/v1/videos/" + id);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().path("object").asString()).isEqualTo("video.deleted");
        assertThat(deleted.json().path("deleted").asBoolean()).isTrue();
        assertThat(alpha.get("/v1/videos/" + id).status()).isEqualTo(404);
        assertThat(results.stat(key)).isEmpty();
        assertThat(results.stat(VideoVariant.THUMBNAIL.keyFor(key))).isEmpty();
        assertThat(results.stat(VideoVariant.SPRITESHEET.keyFor(key))).isEmpty();
    }

    @Test
    void theThumbnailAndSpritesheetAreStoredWithTheVideoAndDecodeAsTheirContentTypeSays() throws Exception {
        FfmpegPrograms.assumeAvailable();
        String id = create("{\"prompt\": \"stills please\"}").path("id").asString();
        awaitStatus(id, "completed");
        String key = store.find(id).orElseThrow().resultKey();
        // Made when the video was stored, not on request.
        assertThat(results.stat(VideoVariant.THUMBNAIL.keyFor(key))).isPresent();
        assertThat(results.stat(VideoVariant.SPRITESHEET.keyFor(key))).isPresent();

        // tiny.mp4 is 160x96 with 16 frames: a 5 x 4 grid of 256 x 154 tiles (the last row half empty).
        assertVariant(id, "thumbnail", "image/webp", new VideoStills.Probe("webp", 160, 96, 1));
        assertVariant(id, "spritesheet", "image/jpeg", new VideoStills.Probe("mjpeg", 5 * 256, 4 * 154, 1));

        HttpResponse<byte[]> part = alpha.getBytes("/v1/videos/" + id + "/content?variant=thumbnail", "bytes=0-11");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(new String(part.body(), 8, 4, StandardCharsets.US_ASCII)).isEqualTo("WEBP");
    }

    @Test
    void aStillLostFromTheStoreIsMadeAgainOnRequest() throws Exception {
        FfmpegPrograms.assumeAvailable();
        String id = create("{\"prompt\": \"stills lost\"}").path("id").asString();
        awaitStatus(id, "completed");
        String key = store.find(id).orElseThrow().resultKey();
        results.delete(VideoVariant.SPRITESHEET.keyFor(key));
        assertVariant(id, "spritesheet", "image/jpeg", new VideoStills.Probe("mjpeg", 5 * 256, 4 * 154, 1));
        assertThat(results.stat(VideoVariant.SPRITESHEET.keyFor(key))).isPresent();
    }

    @Test
    void remixesExtensionsEditsAndCharactersRefuseBadRequestsNamingTheField() {
        String id = create("{\"prompt\": \"a source\"}").path("id").asString();
        awaitStatus(id, "completed");
        String unknown = "video_" + "0".repeat(32);
        assertError(alpha.postJson("/v1/videos/" + id + "/remix", "{}"), 400, "prompt", "missing_required_parameter");
        assertError(alpha.postJson("/v1/videos/" + id + "/remix", "{\"prompt\": \"x\", \"seed\": 1}"), 400, "seed",
                "unknown_parameter");
        assertError(new Http(port, TestBackends.BETA_KEY).postJson("/v1/videos/" + id + "/remix",
                "{\"prompt\": \"not mine\"}"), 404, "id", "video_not_found");
        assertError(alpha.postJson("/v1/videos/extensions", "{\"prompt\": \"x\"}"), 400, "video",
                "missing_required_parameter");
        assertError(alpha.postJson("/v1/videos/extensions", "{\"prompt\": \"x\", \"video\": {\"id\": \"" + unknown
                + "\"}}"), 404, "id", "video_not_found");
        assertError(alpha.postJson("/v1/videos/extensions", "{\"prompt\": \"x\", \"video\": {\"id\": \"" + id
                + "\"}, \"seconds\": \"0\"}"), 400, "seconds", "invalid_value");
        assertError(alpha.postJson("/v1/videos/edits", "{\"prompt\": \"x\", \"video\": {\"id\": \"" + id + "\"}}"),
                400, "video", "source_link_unavailable");
        assertError(alpha.postJson("/v1/videos/edits", "{\"prompt\": \"x\", \"video\": {\"id\": \"" + unknown
                + "\"}}"), 404, "id", "video_not_found");
        Http.Multipart character = new Http.Multipart().field("name", "Ada");
        assertError(alpha.post("/v1/videos/characters", character.contentType(), character.build()), 400, "video",
                "missing_required_parameter");
        assertError(alpha.get("/v1/videos/characters/char_123"), 404, "character_id", "character_not_found");
    }

    @Test
    void aCharacterUploadedAsAFileIsStoredPrivatelyAndItsRequestsAreChecked() throws Exception {
        FfmpegPrograms.assumeAvailable();
        java.nio.file.Path clip = java.nio.file.Files.createTempFile("character-", ".mp4");
        try {
            dev.wanhybrid.engine.internal.video.FfmpegTools.ffmpeg(List.of("-f", "lavfi", "-i",
                    "testsrc=size=128x96:rate=8:duration=2", "-c:v", "mpeg4", "-f", "mp4", clip.toString()));
            byte[] bytes = java.nio.file.Files.readAllBytes(clip);
            Http.Multipart form = new Http.Multipart().field("name", "Ada").file("video", "ada.mp4", "video/mp4", bytes);
            Http.Reply created = alpha.post("/v1/videos/characters", form.contentType(), form.build());
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            String id = created.json().path("id").asString();
            assertThat(id).matches("char_[0-9a-f]{32}");
            assertThat(created.json().path("name").asString()).isEqualTo("Ada");
            Http.Reply fetched = alpha.get("/v1/videos/characters/" + id);
            assertThat(fetched.status()).isEqualTo(200);
            assertThat(fetched.json().path("created_at").asLong()).isEqualTo(created.json().path("created_at").asLong());
            assertError(new Http(port, TestBackends.BETA_KEY).get("/v1/videos/characters/" + id), 404,
                    "character_id", "character_not_found");
            // Casting needs a link the provider can fetch the clip by, and this gateway configures none.
            assertError(alpha.postJson("/v1/videos", "{\"prompt\": \"x\", \"characters\": [{\"id\": \"" + id
                    + "\"}]}"), 400, "characters[0].id", "source_link_unavailable");
            assertError(new Http(port, TestBackends.BETA_KEY).postJson("/v1/videos", "{\"prompt\": \"x\","
                    + " \"characters\": [{\"id\": \"" + id + "\"}]}"), 404, "characters[0].id", "character_not_found");

            Http.Reply json = alpha.postJson("/v1/videos/characters", "{\"name\": \"Ada\"}");
            assertThat(json.status()).isEqualTo(415);
            assertThat(json.json().path("error").path("code").asString()).isEqualTo("unsupported_media_type");
            Http.Multipart extra = new Http.Multipart().field("name", "Ada").field("seed", "1")
                    .file("video", "ada.mp4", "video/mp4", bytes);
            assertError(alpha.post("/v1/videos/characters", extra.contentType(), extra.build()), 400, "seed",
                    "unknown_parameter");
            Http.Multipart longName = new Http.Multipart().field("name", "A".repeat(81))
                    .file("video", "ada.mp4", "video/mp4", bytes);
            assertError(alpha.post("/v1/videos/characters", longName.contentType(), longName.build()), 400, "name",
                    "string_above_max_length");
            Http.Multipart twoClips = new Http.Multipart().field("name", "Ada")
                    .file("video", "a.mp4", "video/mp4", bytes).file("video", "b.mp4", "video/mp4", bytes);
            assertError(alpha.post("/v1/videos/characters", twoClips.contentType(), twoClips.build()), 400, "video",
                    "duplicate_parameter");
            Http.Multipart image = new Http.Multipart().field("name", "Ada")
                    .file("video", "a.png", "image/png", ApiFixtures.class.getName().getBytes());
            assertError(alpha.post("/v1/videos/characters", image.contentType(), image.build()), 400, "video",
                    "invalid_video");
        } finally {
            java.nio.file.Files.deleteIfExists(clip);
        }
    }

    @Test
    void onlyACompletedVideoCanBeRemixed() {
        backends.local().pollsUntilDone(1000);
        String id = create("{\"prompt\": \"still running\"}").path("id").asString();
        assertError(alpha.postJson("/v1/videos/" + id + "/remix", "{\"prompt\": \"too soon\"}"), 400, "id",
                "video_not_ready");
        alpha.post("/v1/videos/" + id + "/cancel", "application/json", new byte[0]);
    }

    private static void assertError(Http.Reply reply, int status, String param, String code) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.json().path("error").path("param").asString()).as(reply.body()).isEqualTo(param);
        assertThat(reply.json().path("error").path("code").asString()).as(reply.body()).isEqualTo(code);
    }

    private void assertVariant(String id, String variant, String type, VideoStills.Probe expected) throws Exception {
        HttpResponse<byte[]> reply = alpha.getBytes("/v1/videos/" + id + "/content?variant=" + variant, null);
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type")).hasValue(type);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("variant-", "." + variant);
        try {
            java.nio.file.Files.write(file, reply.body());
            assertThat(VideoStills.probe(file)).isEqualTo(expected);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void theEventStreamDeliversEveryStatusChangeAndEndsWithTheTerminalOne() throws Exception {
        backends.local().pollsUntilDone(3);
        String id = create("{\"prompt\": \"watch me\"}").path("id").asString();
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
                alpha.request("/v1/videos/" + id + "/events").header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("event:")) {
                    events.add(line.substring(6).trim());
                }
            }
        }
        assertThat(events).startsWith("video.queued").contains("video.in_progress").endsWith("video.completed");
    }

    @Test
    void healthIsPublicWithoutDetailsWhileMetricsAndTheRestNeedAToken() {
        Http anonymous = new Http(port, null);
        Http admin = new Http(port, "admin-secret");
        Http.Reply health = anonymous.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asString()).isNotEmpty();
        assertThat(health.json().has("components")).as("no details for anonymous callers: %s", health.body()).isFalse();
        assertThat(health.body()).doesNotContain("path").doesNotContain("gateway.").doesNotContain("H2");
        assertThat(anonymous.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(admin.get("/actuator/health").json().path("components").path("db").path("details").isObject())
                .as("details for the admin").isTrue();

        create("{\"prompt\": \"count me\"}");
        Http.Reply anonymousScrape = anonymous.get("/actuator/prometheus");
        assertThat(anonymousScrape.status()).as("series carry tenant ids").isEqualTo(401);
        assertThat(anonymousScrape.body()).doesNotContain("alpha");
        Http.Reply prometheus = admin.get("/actuator/prometheus");
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.body()).contains("gateway_jobs_submitted_total");
        assertThat(anonymous.get("/actuator/env").status()).isEqualTo(401);
        assertThat(anonymous.get("/actuator/metrics").status()).isEqualTo(401);
        assertThat(admin.get("/actuator/metrics").status()).isEqualTo(200);
    }

    @Test
    void unknownPathsUnderV1AnswerTheEnvelope() {
        Http.Reply reply = alpha.get("/v1/nothing-here");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().path("error").path("type").asString()).isEqualTo("invalid_request_error");
    }
}
