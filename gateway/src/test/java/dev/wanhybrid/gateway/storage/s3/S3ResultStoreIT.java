package dev.wanhybrid.gateway.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.gateway.e2e.support.FfmpegPrograms;
import dev.wanhybrid.gateway.preview.ResultPreviews;
import dev.wanhybrid.gateway.preview.VideoVariant;
import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.ResultTooLargeException;
import dev.wanhybrid.gateway.storage.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The S3 result store against a real S3-compatible server (S3Mock over HTTP on loopback). */
class S3ResultStoreIT {

    private static final int PART = S3ResultStore.MIN_PART_SIZE;
    private static final String BUCKET = "results";

    private static S3MockServer server;
    private static S3Client client;
    private static int bucketCounter;

    private String bucket;
    private S3ResultStore store;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3MockServer.start();
        client = server.client();
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void freshBucket() {
        bucket = BUCKET + "-" + (++bucketCounter);
        client.createBucket(b -> b.bucket(bucket));
        store = new S3ResultStore(client, bucket, "install-a/", PART);
    }

    @Test
    void aPresignedLinkReadsTheObjectWithoutCredentialsUntilItExpiresAndNotAfterDeletion() throws Exception {
        byte[] video = "not really a video, but bytes to fetch".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String key = "videos/video_0123456789abcdef0123456789abcdef.mp4";
        store.put(key, new ByteArrayInputStream(video), 1 << 20);
        assertThat(store.presignedGet(key, Duration.ofMinutes(5))).as("a store without a presigner").isEmpty();
        try (var presigner = server.presigner(); var http = java.net.http.HttpClient.newHttpClient()) {
            S3ResultStore signing = new S3ResultStore(client, presigner, bucket, "install-a/", PART);
            java.net.URI link = signing.presignedGet(key, Duration.ofMinutes(5)).orElseThrow();
            assertThat(link.getHost()).isEqualTo("127.0.0.1");
            assertThat(link.getRawQuery()).contains("X-Amz-Signature=", "X-Amz-Expires=300");
            var fetched = http.send(java.net.http.HttpRequest.newBuilder(link).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(fetched.statusCode()).isEqualTo(200);
            assertThat(fetched.body()).isEqualTo(video);
            signing.delete(key);
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(link).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aVideosThumbnailAndSpritesheetAreKeptInTheBucketBesideItAndDeletedWithIt() throws Exception {
        FfmpegPrograms.assumeAvailable();
        byte[] mp4;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/api/tiny.mp4")) {
            mp4 = in.readAllBytes();
        }
        String key = "videos/video_0123456789abcdef0123456789abcdef.mp4";
        store.put(key, new ByteArrayInputStream(mp4), 1 << 20);
        ResultPreviews previews = new ResultPreviews(store);
        previews.make(key);
        for (VideoVariant variant : new VideoVariant[] {VideoVariant.THUMBNAIL, VideoVariant.SPRITESHEET}) {
            assertThat(client.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
                    .contains("install-a/" + variant.keyFor(key));
            java.nio.file.Path file = java.nio.file.Files.createTempFile("s3-still-", "." + variant.extension());
            try (InputStream in = store.open(variant.keyFor(key), 0, -1)) {
                java.nio.file.Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                assertThat(dev.wanhybrid.engine.VideoStills.probe(file).codec())
                        .isEqualTo(variant == VideoVariant.THUMBNAIL ? "webp" : "mjpeg");
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
        previews.delete(key);
        store.delete(key);
        assertThat(client.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
    }

    @Test
    void smallResultIsStoredWithItsSizeAndChecksumAndReadBack() throws IOException {
        byte[] video = bytes(70_000, 1);

        StoredObject stored = store.put("video_1/result.mp4", new ByteArrayInputStream(video), 1_000_000);

        assertThat(stored.key()).isEqualTo("video_1/result.mp4");
        assertThat(stored.size()).isEqualTo(video.length);
        assertThat(stored.sha256()).isEqualTo(sha256(video));
        assertThat(stored.createdAt()).isNotNull();
        assertThat(store.stat("video_1/result.mp4")).contains(stored);
        assertThat(readAll(store.open("video_1/result.mp4", 0, -1))).isEqualTo(video);
        assertThat(client.headObject(b -> b.bucket(bucket).key("install-a/video_1/result.mp4")).contentType())
                .isEqualTo("video/mp4");
    }

    @Test
    void largeResultIsUploadedInPartsAndServedByByteRanges() throws IOException {
        byte[] video = bytes(2 * PART + 123_456, 2);

        StoredObject stored = store.put("video_2/result.mp4", new ByteArrayInputStream(video), video.length);

        assertThat(stored.size()).isEqualTo(video.length);
        assertThat(stored.sha256()).isEqualTo(sha256(video));
        // A range that spans the boundary between the first and second part.
        long offset = PART - 1000;
        assertThat(readAll(store.open("video_2/result.mp4", offset, 5000)))
                .isEqualTo(Arrays.copyOfRange(video, (int) offset, (int) offset + 5000));
        assertThat(readAll(store.open("video_2/result.mp4", 2L * PART, -1)))
                .isEqualTo(Arrays.copyOfRange(video, 2 * PART, video.length));
        assertThat(readAll(store.open("video_2/result.mp4", video.length + 10L, -1))).isEmpty();
        assertThat(readAll(store.open("video_2/result.mp4", 10, 0))).isEmpty();
    }

    @Test
    void uploadStreamsPartByPartInsteadOfReadingTheWholeVideoFirst() throws IOException {
        int total = 3 * PART + 10;
        java.util.List<Integer> partsUploadedWhenPartThreeWasRead = new java.util.ArrayList<>();
        InputStream source = new InputStream() {
            private int position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= total) {
                    return -1;
                }
                if (position == 2 * PART) {
                    // The store is about to read the third part: the first two must already be on the server.
                    var uploads = client.listMultipartUploads(r -> r.bucket(bucket)).uploads();
                    partsUploadedWhenPartThreeWasRead.add(uploads.size() != 1 ? -1 : client.listParts(r -> r
                            .bucket(bucket).key(uploads.getFirst().key()).uploadId(uploads.getFirst().uploadId()))
                            .parts().size());
                }
                int n = Math.min(len, Math.min(total - position, 2 * PART - position > 0 ? 2 * PART - position : len));
                Arrays.fill(b, off, off + n, (byte) (position / PART));
                position += n;
                return n;
            }
        };

        StoredObject stored = store.put("video_10/result.mp4", source, total);

        assertThat(partsUploadedWhenPartThreeWasRead).containsExactly(2);
        assertThat(stored.size()).isEqualTo(total);
        assertThat(readAll(store.open("video_10/result.mp4", 3L * PART, -1))).containsOnly((byte) 3).hasSize(10);
    }

    @Test
    void resultExactlyOnePartLongIsStoredWhole() throws IOException {
        byte[] video = bytes(PART, 3);

        StoredObject stored = store.put("video_3/result.mp4", new ByteArrayInputStream(video), PART);

        assertThat(stored.size()).isEqualTo(PART);
        assertThat(readAll(store.open("video_3/result.mp4", 0, -1))).isEqualTo(video);
    }

    @Test
    void endlessResultIsCutOffAtTheLimitAndLeavesNothingBehind() {
        // A source that never ends: the store must stop at the limit rather than read it all first.
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 7;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) 7);
                return len;
            }
        };

        assertThatThrownBy(() -> store.put("video_4/result.mp4", endless, 3L * PART + 1))
                .isInstanceOf(ResultTooLargeException.class);
        assertThat(client.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
        assertThat(client.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
    }

    @Test
    void theSameBytesAgainAreANoOpAndDifferentBytesAreRefused() throws IOException {
        byte[] video = bytes(10_000, 5);
        StoredObject first = store.put("video_5/result.mp4", new ByteArrayInputStream(video), 1_000_000);

        assertThat(store.put("video_5/result.mp4", new ByteArrayInputStream(video), 1_000_000)).isEqualTo(first);
        assertThatThrownBy(() -> store.put("video_5/result.mp4", new ByteArrayInputStream(bytes(10_000, 6)), 1_000_000))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(readAll(store.open("video_5/result.mp4", 0, -1))).isEqualTo(video);
    }

    @Test
    void missingResultHasNoStatAndCannotBeOpened() throws IOException {
        assertThat(store.stat("video_6/result.mp4")).isEmpty();
        assertThatThrownBy(() -> store.open("video_6/result.mp4", 0, -1)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.open("video_6/result.mp4", 5, 0)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void deleteRemovesTheResultAndItsChecksum() throws IOException {
        store.put("video_7/result.mp4", new ByteArrayInputStream(bytes(1000, 7)), 1_000_000);

        store.delete("video_7/result.mp4");
        store.delete("video_7/result.mp4");

        assertThat(store.stat("video_7/result.mp4")).isEmpty();
        assertThat(client.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
    }

    @Test
    void keysStayUnderThePrefixAndCannotEscapeIt() throws IOException {
        store.put("video_8/result.mp4", new ByteArrayInputStream(bytes(100, 8)), 1_000_000);

        assertThat(client.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
                .containsExactlyInAnyOrder("install-a/video_8/result.mp4", "install-a/video_8/result.mp4.sha256");
        assertThat(new S3ResultStore(client, bucket, "install-b/", PART).stat("video_8/result.mp4")).isEmpty();
        for (String bad : new String[] {"../video_8/result.mp4", "/etc/passwd", "video_8//x", "video_8/result.mp4.sha256"}) {
            assertThatThrownBy(() -> store.stat(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void storageTypeS3WiresTheStoreFromConfiguration() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
                .withUserConfiguration(S3StorageConfiguration.class)
                .withPropertyValues(
                        "gateway.storage.type=s3",
                        "gateway.storage.s3.endpoint=" + server.endpoint(),
                        "gateway.storage.s3.bucket=" + bucket,
                        "gateway.storage.s3.path-style-access=true",
                        "gateway.storage.s3.prefix=wired/",
                        "gateway.storage.s3.access-key-id=" + S3MockServer.ACCESS_KEY,
                        "gateway.storage.s3.secret-access-key=" + S3MockServer.SECRET_KEY)
                .run(context -> {
                    ResultStore wired = context.getBean(ResultStore.class);
                    assertThat(wired).isInstanceOf(S3ResultStore.class);
                    byte[] video = bytes(4096, 9);
                    wired.put("video_9/result.mp4", new ByteArrayInputStream(video), 10_000);
                    assertThat(client.headObject(b -> b.bucket(bucket).key("wired/video_9/result.mp4")).contentLength())
                            .isEqualTo(4096L);
                    assertThat(context.getBean(S3StorageProperties.class).toString())
                            .doesNotContain(S3MockServer.SECRET_KEY);
                });
    }

    @Test
    void s3StorageWithoutABucketFailsAtStartNamingTheKey() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
                .withUserConfiguration(S3StorageConfiguration.class)
                .withPropertyValues("gateway.storage.type=s3", "gateway.storage.s3.endpoint=",
                        "gateway.storage.s3.part-size=1MB")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("gateway.storage.s3")
                        .hasStackTraceContaining("partSizeWithinLimits"));
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
                .withUserConfiguration(S3StorageConfiguration.class)
                .withPropertyValues("gateway.storage.type=s3", "gateway.storage.s3.endpoint=")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("gateway.storage.type=s3 needs gateway.storage.s3.bucket"));
    }

    @Test
    void localStorageTypeLeavesS3AloneEvenWhenItsPropertiesAreBound() {
        // The application scans every @ConfigurationProperties class, so the S3 properties bind with type=local.
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
                .withUserConfiguration(S3StorageConfiguration.class, ScannedProperties.class)
                .withPropertyValues("gateway.storage.type=local")
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean(S3Client.class).doesNotHaveBean(ResultStore.class)
                        .hasSingleBean(S3StorageProperties.class));
    }

    @org.springframework.boot.context.properties.EnableConfigurationProperties(S3StorageProperties.class)
    static class ScannedProperties {}

    private static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
