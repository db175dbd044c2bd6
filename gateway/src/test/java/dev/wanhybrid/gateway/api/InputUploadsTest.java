package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.api.CreateVideoRequest.ImageUpload;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobRoute;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import dev.wanhybrid.gateway.storage.LocalDiskResultStore;
import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An uploaded image is stored before its job exists and deleted when the job is not created or is deleted. */
class InputUploadsTest {

    static final String JOB = "video_0123456789abcdef0123456789abcdef";

    @TempDir
    Path root;

    LocalDiskResultStore store;
    InputUploads uploads;

    @BeforeEach
    void setUp() throws IOException {
        store = new LocalDiskResultStore(root);
        uploads = new InputUploads(store, ApiFixtures.defaults());
    }

    @Test
    void anUploadIsStoredUnderTheJobAndReferredToAsAnUploadUri() throws IOException {
        URI image = uploads.store(JOB, request(null, new ImageUpload("image/png", "png", ApiFixtures.png())));

        assertThat(image).hasToString("upload:uploads/" + JOB + "/input.png");
        try (InputStream in = store.open("uploads/" + JOB + "/input.png", 0, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(ApiFixtures.png());
        }
    }

    @Test
    void withoutAnUploadTheImageIsTheRequestsUrlOrNone() throws IOException {
        URI url = URI.create("https://images.test/a.png");
        assertThat(uploads.store(JOB, request(url, null))).isEqualTo(url);
        assertThat(uploads.store(JOB, request(null, null))).isNull();
    }

    @Test
    void discardingDeletesAnUploadAndLeavesAnythingElseAlone() throws IOException {
        URI image = uploads.store(JOB, request(null, new ImageUpload("image/png", "png", ApiFixtures.png())));
        store.put("videos/keep.mp4", new ByteArrayInputStream(new byte[] {1}), 10);

        uploads.discard(URI.create("https://images.test/videos/keep.mp4"));
        uploads.discard(null);
        uploads.discard(image);

        assertThat(store.stat("uploads/" + JOB + "/input.png")).isEmpty();
        assertThat(store.stat("videos/keep.mp4")).isPresent();
    }

    @Test
    void aDeletedJobTakesItsUploadWithIt() throws IOException {
        URI image = uploads.store(JOB, request(null, new ImageUpload("image/png", "png", ApiFixtures.png())));

        uploads.deleteWith(job(image));

        assertThat(store.stat("uploads/" + JOB + "/input.png")).isEmpty();
    }

    @Test
    void aDeletionThatFailsIsOnlyLogged() {
        ResultStore broken = new ResultStore() {
            @Override
            public StoredObject put(String key, InputStream content, long maxBytes) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<StoredObject> stat(String key) {
                return Optional.empty();
            }

            @Override
            public InputStream open(String key, long offset, long length) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void delete(String key) throws IOException {
                throw new IOException("disk gone");
            }
        };
        InputUploads failing = new InputUploads(broken, ApiFixtures.defaults());
        failing.discard(URI.create("upload:uploads/" + JOB + "/input.png"));
        failing.deleteWith(job(URI.create("upload:uploads/" + JOB + "/input.png")));
    }

    private static CreateVideoRequest request(URI imageUrl, ImageUpload upload) {
        return new CreateVideoRequest("a cat", "auto", 5, null, null, null, imageUrl, upload, AudioSpec.NONE, null,
                null, null);
    }

    private static Job job(URI image) {
        GenerationSpec spec = request(null, null).toSpec("acme", image);
        RouteCandidate candidate = new RouteCandidate("local", "m", BigDecimal.ZERO, null);
        JobRoute route = JobRoute.of(new Route(List.of(candidate), List.of(), "cheapest"), List.of(candidate),
                List.of());
        return Job.accepted(JOB, spec, route, Instant.EPOCH);
    }
}
