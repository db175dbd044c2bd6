package dev.wanhybrid.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.videos.Video;
import com.openai.models.videos.VideoCreateCharacterParams;
import com.openai.models.videos.VideoCreateCharacterResponse;
import com.openai.models.videos.VideoGetCharacterResponse;
import com.openai.models.videos.VideoDownloadContentParams;
import com.openai.models.videos.VideoEditParams;
import com.openai.models.videos.VideoExtendParams;
import com.openai.models.videos.VideoRemixParams;
import com.openai.models.videos.VideoCreateParams;
import com.openai.models.videos.VideoDeleteResponse;
import com.openai.models.videos.VideoListParams;
import com.openai.models.videos.VideoModel;
import com.openai.models.videos.VideoSeconds;
import com.openai.models.videos.VideoSize;
import dev.wanhybrid.engine.VideoStills;
import dev.wanhybrid.gateway.e2e.support.ApiTestBase;
import dev.wanhybrid.gateway.e2e.support.FfmpegPrograms;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The official OpenAI Java SDK against the running gateway, on a real backend path: the real router, spend
 * ledger, resilience decorators and cloud backend, talking DashScope's protocol to the cloud adapter's simulator
 * on loopback (the one stand-in: Alibaba's service cannot be reached from here).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:openai-sdk-it;DB_CLOSE_DELAY=-1",
    "gateway.cloud.simulator.enabled=true",
    "gateway.cloud.simulator.pending-for=300ms",
    "gateway.cloud.simulator.running-for=1s",
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=200ms", "gateway.jobs.poll-max=1s",
    // Results on local disk: the provider fetches a video to edit by a link the gateway signs.
    "gateway.api.source-links.public-base-url=https://gateway.example.test/",
    "gateway.api.source-links.secret=openai-sdk-it-source-link-secret-0123456789",
})
class OpenAiSdkIT {

    static final Path RESULTS;

    static {
        try {
            RESULTS = Files.createTempDirectory("openai-sdk-it");
        } catch (java.io.IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gateway.storage.local.root", RESULTS::toString);
        ApiTestBase.registerTenants(registry);
    }

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    dev.wanhybrid.gateway.jobs.GenerationService service;

    @org.springframework.beans.factory.annotation.Autowired
    dev.wanhybrid.gateway.catalog.ModelCatalog catalog;

    OpenAIClient client;

    @BeforeEach
    void connect() {
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey(TestBackends.ALPHA_KEY).maxRetries(0).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theOfficialClientCreatesRetrievesDownloadsListsAndDeletesAVideo() throws Exception {
        Video created = client.videos().create(VideoCreateParams.builder()
                .prompt("a paper boat drifting on a pond at dawn")
                .model(VideoModel.of("wan2.5-t2v-preview"))
                .seconds(VideoSeconds.of("5"))
                .size(VideoSize.of("1280x720"))
                .build());
        assertThat(created.id()).startsWith("video_");
        assertThat(created.status()).isIn(Video.Status.QUEUED, Video.Status.IN_PROGRESS);
        Map<String, JsonValue> extensions = created._additionalProperties();
        assertThat(extensions).containsKeys("route", "backend", "cost_usd");
        assertThat(extensions.get("backend").toString()).contains("cloud");

        Video[] latest = {created};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            latest[0] = client.videos().retrieve(created.id());
            // The SDK's enums are classes: compare with equals, not ==.
            return Video.Status.COMPLETED.equals(latest[0].status()) || Video.Status.FAILED.equals(latest[0].status());
        });
        Video done = latest[0];
        assertThat(done.status()).as("error: %s", done._error()).isEqualTo(Video.Status.COMPLETED);
        assertThat(done.progress()).isEqualTo(100);
        assertThat(done.model().asString()).isEqualTo("wan2.5-t2v-preview");
        assertThat(done._additionalProperties().get("cost_usd").toString()).isNotEqualTo("null");

        byte[] mp4;
        try (HttpResponse response = client.videos().downloadContent(created.id());
                InputStream body = response.body()) {
            mp4 = body.readAllBytes();
        }
        assertThat(mp4.length).isGreaterThan(1000);
        assertThat(new String(mp4, 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");

        assertThat(client.videos().list(VideoListParams.builder().limit(10).build()).data())
                .extracting(Video::id).contains(created.id());

        VideoDeleteResponse deleted = client.videos().delete(created.id());
        assertThat(deleted.deleted()).isTrue();
        assertThatThrownBy(() -> client.videos().retrieve(created.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aVideoRequestedWithoutASizeReportsTheSizeItsModelRenders() {
        Video created = client.videos().create(VideoCreateParams.builder().prompt("a quiet harbour")
                .model(VideoModel.of("wan2.5-t2v-preview")).build());
        assertThat(client.videos().retrieve(created.id()).size().asString()).isEqualTo("1280x720");
        assertThat(client.videos().delete(created.id()).deleted()).isTrue();
    }

    @Test
    void theClientSeesTypedErrorsFromTheEnvelope() {
        assertThatThrownBy(() -> client.videos().create(VideoCreateParams.builder().prompt("x")
                .seconds(VideoSeconds.of("abc")).build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.param()).hasValue("seconds"));
        OpenAIClient stranger = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey("sk-not-a-tenant").maxRetries(0).build();
        try {
            assertThatThrownBy(() -> stranger.videos().list()).isInstanceOf(UnauthorizedException.class);
        } finally {
            stranger.close();
        }
    }

    private Video awaitDone(String id) {
        Video[] latest = {null};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            latest[0] = client.videos().retrieve(id);
            return Video.Status.COMPLETED.equals(latest[0].status()) || Video.Status.FAILED.equals(latest[0].status());
        });
        assertThat(latest[0].status()).as("error: %s", latest[0]._error()).isEqualTo(Video.Status.COMPLETED);
        return latest[0];
    }

    private static Video sharedSource;

    /** One finished cloud video that the variant, remix, extension and edit tests read and never change. */
    private synchronized Video finishedSource() {
        if (sharedSource == null) {
            sharedSource = finishedCloudVideo("a kite over the dunes");
        }
        return sharedSource;
    }

    private Video finishedCloudVideo(String prompt) {
        Video created = client.videos().create(VideoCreateParams.builder().prompt(prompt)
                .model(VideoModel.of("wan2.5-t2v-preview")).seconds(VideoSeconds.of("5"))
                .size(VideoSize.of("832x480")).build());
        return awaitDone(created.id());
    }

    /** Downloads a variant with the SDK and probes it with FFmpeg. */
    private VideoStills.Probe download(String id, VideoDownloadContentParams.Variant variant, String type)
            throws Exception {
        Path file = Files.createTempFile("sdk-variant-", ".bin");
        try (HttpResponse response = client.videos().downloadContent(id,
                VideoDownloadContentParams.builder().variant(variant).build()); InputStream body = response.body()) {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().values("Content-Type")).containsExactly(type);
            Files.copy(body, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return VideoStills.probe(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void theOfficialClientDownloadsTheThumbnailAndTheSpritesheet() throws Exception {
        FfmpegPrograms.assumeAvailable();
        Video done = finishedSource();
        VideoStills.Probe video = download(done.id(), VideoDownloadContentParams.Variant.VIDEO, "video/mp4");
        assertThat(video.codec()).isEqualTo("h264");
        assertThat(download(done.id(), VideoDownloadContentParams.Variant.THUMBNAIL, "image/webp"))
                .isEqualTo(new VideoStills.Probe("webp", video.width(), video.height(), 1));
        int frames = Math.min(video.frames(), 25);
        int columns = Math.min(frames, 5);
        int tileHeight = (int) Math.round(video.height() * 256.0 / video.width() / 2) * 2;
        assertThat(download(done.id(), VideoDownloadContentParams.Variant.SPRITESHEET, "image/jpeg"))
                .isEqualTo(new VideoStills.Probe("mjpeg", columns * 256, (frames + columns - 1) / columns * tileHeight,
                        1));
    }

    @Test
    void theOfficialClientRemixesAVideoIntoANewOneWithTheSameSettings() {
        Video source = finishedSource();
        Video remix = client.videos().remix(source.id(), VideoRemixParams.builder()
                .prompt("a kite over the dunes at night").build());
        assertThat(remix.id()).isNotEqualTo(source.id());
        assertThat(remix.remixedFromVideoId()).hasValue(source.id());
        assertThat(remix.prompt()).hasValue("a kite over the dunes at night");
        Video done = awaitDone(remix.id());
        assertThat(done.model().asString()).isEqualTo("wan2.5-t2v-preview");
        assertThat(done.size().asString()).isEqualTo("832x480");
        assertThat(done.seconds().asString()).isEqualTo("5");
        assertThat(done._additionalProperties().get("route").toString()).contains("remix of " + source.id());

        OpenAIClient stranger = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey(TestBackends.BETA_KEY).maxRetries(0).build();
        try {
            assertThatThrownBy(() -> stranger.videos().remix(source.id(),
                    VideoRemixParams.builder().prompt("not mine").build())).isInstanceOf(NotFoundException.class);
        } finally {
            stranger.close();
        }
    }

    @Test
    void theOfficialClientExtendsAVideoFromItsLastFrameAsImageToVideo() {
        FfmpegPrograms.assumeAvailable();
        Video source = finishedSource();
        Video extension = client.videos().extend(VideoExtendParams.builder().prompt("the train enters a tunnel")
                .video(VideoExtendParams.Video.ofReferenceInputParam(
                        VideoExtendParams.Video.VideoReferenceInputParam.builder().id(source.id()).build()))
                .seconds(VideoSeconds.of("5")).build());
        assertThat(extension.id()).isNotEqualTo(source.id());
        Video done = awaitDone(extension.id());
        assertThat(done.model().asString()).contains("i2v");
        assertThat(done._additionalProperties().get("route").toString())
                .contains("extension of " + source.id(), "last frame");
    }

    @Test
    void theOfficialClientEditsAVideoThroughAModelThatEditsAndTheResultDownloads() throws Exception {
        FfmpegPrograms.assumeAvailable();
        Video source = finishedSource();
        Video edit = client.videos().edit(VideoEditParams.builder().prompt("make it sunny")
                .video(VideoEditParams.Video.ofReferenceInputParam(
                        VideoEditParams.Video.VideoReferenceInputParam.builder().id(source.id()).build()))
                .build());
        assertThat(edit.id()).isNotEqualTo(source.id());
        assertThat(edit.prompt()).hasValue("make it sunny");
        Video done = awaitDone(edit.id());
        assertThat(done._additionalProperties().get("route").toString())
                .contains("edit of " + source.id(), "video-editing model");
        assertThat(catalog.supportsMode(done.model().asString(), dev.wanhybrid.cloud.catalog.VideoMode.VIDEO_EDIT))
                .as("model %s edits", done.model().asString()).isTrue();
        Path file = Files.createTempFile("sdk-edit-", ".mp4");
        try (HttpResponse response = client.videos().downloadContent(edit.id()); InputStream body = response.body()) {
            Files.copy(body, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            VideoStills.Probe probe = VideoStills.probe(file);
            assertThat(probe.codec()).isEqualTo("h264");
            assertThat(probe.frames()).isPositive();
        } finally {
            Files.deleteIfExists(file);
        }

        // What the provider was given: a signed gateway link that serves the source to anyone holding it, and
        // nothing to whoever alters it.
        URI link = service.find("alpha", edit.id()).orElseThrow().spec().media().getFirst().url();
        assertThat(link.toString()).startsWith("https://gateway.example.test/shared/results?");
        URI local = URI.create("http://127.0.0.1:" + port + link.getRawPath() + "?" + link.getRawQuery());
        byte[] original;
        try (HttpResponse response = client.videos().downloadContent(source.id()); InputStream body = response.body()) {
            original = body.readAllBytes();
        }
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            java.net.http.HttpResponse<byte[]> fetched = http.send(java.net.http.HttpRequest.newBuilder(local).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(fetched.statusCode()).isEqualTo(200);
            assertThat(fetched.body()).isEqualTo(original);
            URI forged = URI.create(local.toString().replaceAll("signature=[^&]+", "signature=AAAA"));
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(forged).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
            URI otherKey = URI.create(local.toString().replaceAll("key=[^&]+", "key=uploads%2Fother"));
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(otherKey).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
        }

        OpenAIClient stranger = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey(TestBackends.BETA_KEY).maxRetries(0).build();
        try {
            assertThatThrownBy(() -> stranger.videos().edit(VideoEditParams.builder().prompt("not mine")
                    .video(VideoEditParams.Video.ofReferenceInputParam(
                            VideoEditParams.Video.VideoReferenceInputParam.builder().id(source.id()).build()))
                    .build())).isInstanceOf(NotFoundException.class);
        } finally {
            stranger.close();
        }
    }

    @Test
    void theOfficialClientCreatesACharacterAndCastsItThroughReferenceToVideo() throws Exception {
        FfmpegPrograms.assumeAvailable();
        Video source = finishedSource();
        byte[] clip;
        try (HttpResponse response = client.videos().downloadContent(source.id()); InputStream body = response.body()) {
            clip = body.readAllBytes();
        }
        long before = java.time.Instant.now().getEpochSecond();
        VideoCreateCharacterResponse created = client.videos().createCharacter(VideoCreateCharacterParams.builder()
                .name("Ada the kite flyer").video(clip).build());
        String characterId = created.id().orElseThrow();
        assertThat(characterId).matches("char_[0-9a-f]{32}");
        assertThat(created.name()).hasValue("Ada the kite flyer");
        assertThat(created.createdAt()).isBetween(before, java.time.Instant.now().getEpochSecond());
        VideoGetCharacterResponse fetched = client.videos().getCharacter(characterId);
        assertThat(fetched.id()).hasValue(characterId);
        assertThat(fetched.name()).hasValue("Ada the kite flyer");
        assertThat(fetched.createdAt()).isEqualTo(created.createdAt());

        // openai-java 4.105 has no characters field on create: the additional body property carries it, sent
        // as multipart characters[][id].
        Video cast = client.videos().create(VideoCreateParams.builder().prompt("character1 flies a kite on a beach")
                .putAdditionalBodyProperty("characters", JsonValue.from(List.of(Map.of("id", characterId))))
                .build());
        Video done = awaitDone(cast.id());
        assertThat(catalog.supportsMode(done.model().asString(), dev.wanhybrid.cloud.catalog.VideoMode.REFERENCE_TO_VIDEO))
                .as("model %s does reference-to-video", done.model().asString()).isTrue();
        assertThat(done._additionalProperties().get("route").toString())
                .contains("characters " + characterId, "reference_video", "reference-to-video");
        Path file = Files.createTempFile("sdk-cast-", ".mp4");
        try (HttpResponse response = client.videos().downloadContent(cast.id()); InputStream body = response.body()) {
            Files.copy(body, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(VideoStills.probe(file).codec()).isEqualTo("h264");
        } finally {
            Files.deleteIfExists(file);
        }

        // What the provider was given: the character's clip as a reference video, by a signed link.
        dev.wanhybrid.gateway.generation.MediaInput reference = service.find("alpha", cast.id()).orElseThrow().spec()
                .media().getFirst();
        assertThat(reference.type()).isEqualTo(dev.wanhybrid.cloud.catalog.MediaType.REFERENCE_VIDEO);
        assertThat(reference.characterId()).isEqualTo(characterId);
        URI link = reference.url();
        assertThat(link.toString()).startsWith("https://gateway.example.test/shared/results?");
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            java.net.http.HttpResponse<byte[]> served = http.send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + link.getRawPath() + "?" + link.getRawQuery())).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.body()).isEqualTo(clip);
        }

        OpenAIClient stranger = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey(TestBackends.BETA_KEY).maxRetries(0).build();
        try {
            assertThatThrownBy(() -> stranger.videos().getCharacter(characterId)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> stranger.videos().create(VideoCreateParams.builder().prompt("not mine")
                    .putAdditionalBodyProperty("characters", JsonValue.from(List.of(Map.of("id", characterId))))
                    .build())).isInstanceOfSatisfying(NotFoundException.class,
                            e -> assertThat(e.body().toString()).contains("characters[0].id"));
        } finally {
            stranger.close();
        }
    }

    @Test
    void aCharacterClipThatIsNotAShortVideoIsRefusedNamingTheField() {
        assertThatThrownBy(() -> client.videos().createCharacter(VideoCreateCharacterParams.builder().name("Ada")
                .video(new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'}).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).hasValue("video");
                    assertThat(e.code()).hasValue("invalid_video");
                });
        assertThatThrownBy(() -> client.videos().createCharacter(VideoCreateCharacterParams.builder().name(" ")
                .video(new byte[] {1}).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.param()).hasValue("name"));
        assertThatThrownBy(() -> client.videos().getCharacter("char_" + "0".repeat(32)))
                .isInstanceOf(NotFoundException.class);
    }
}
