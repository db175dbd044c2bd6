package dev.wanhybrid.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.cloud.simulator.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property: over thousands of random requests mixing every model with every size, tier, duration, audio and input
 * choice, the client sends exactly those the catalog allows, and the service accepts everything it was sent.
 */
class CatalogPropertyIT {

    private static final String KEY = "sk-property-key";
    private static final int CASES = 1500;

    @Test
    void theClientNeverSendsACombinationTheCatalogForbids() throws Exception {
        ModelCatalog catalog = ModelCatalog.load();
        List<String> models = new ArrayList<>(catalog.models().stream().map(CloudModel::id).toList());
        models.add("wan9.9-t2v-imaginary");
        List<String> sizes = new ArrayList<>();
        for (String tier : List.of("480P", "720P", "1080P")) {
            sizes.addAll(catalog.sizes(tier));
        }
        sizes.add("1000*1000");
        long seed = Long.getLong("property.seed", 20261122L);
        Random random = new Random(seed);
        try (DashScopeSimulator simulator = DashScopeSimulator.builder().apiKey(KEY)
                .clock(new MutableClock(Instant.parse("2026-11-22T00:00:00Z")))
                .enforceCreateRates(false).enforceConcurrency(false).build().start()) {
            DashScopeClient client = DashScopeClient.builder().apiKey(ApiKey.of(KEY))
                    .baseUrl(simulator.baseUrl()).catalog(catalog).build();
            int allowed = 0;
            for (int i = 0; i < CASES; i++) {
                VideoRequest request = randomRequest(random, models, sizes);
                boolean catalogAllows = catalog.validate(request, true).isEmpty();
                long attemptsBefore = simulator.stats().createAttempts();
                try {
                    client.create(request);
                    assertThat(catalogAllows).as("sent although the catalog forbids: %s", request).isTrue();
                    allowed++;
                } catch (DashScopeException e) {
                    assertThat(catalogAllows).as("refused although allowed (seed %d): %s -> %s", seed, request,
                            e.getMessage()).isFalse();
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(simulator.stats().createAttempts()).as("a forbidden request cost a call")
                            .isEqualTo(attemptsBefore);
                }
            }
            DashScopeSimulator.Stats stats = simulator.stats();
            assertThat(stats.createAttempts()).isEqualTo(allowed);
            assertThat(stats.submissions()).as("the service accepted every request that was sent").isEqualTo(allowed);
            assertThat(allowed).as("the generator reaches both sides of the property").isBetween(50, CASES - 50);
        }
    }

    private static VideoRequest randomRequest(Random r, List<String> models, List<String> sizes) {
        VideoRequest.Builder b = VideoRequest.builder(pick(r, models));
        if (r.nextInt(10) > 0) {
            b.prompt("a scene " + r.nextInt(1000));
        }
        if (r.nextInt(3) == 0) {
            b.imgUrl(r.nextInt(8) == 0 ? "file:///etc/passwd" : "https://example.com/i.png");
        }
        if (r.nextInt(6) == 0) {
            b.referenceUrls(List.of("https://example.com/r1.png", "https://example.com/r2.mp4"));
        }
        if (r.nextInt(8) == 0) {
            b.firstFrameUrl("https://example.com/f.png").lastFrameUrl("https://example.com/l.png");
        }
        if (r.nextInt(2) == 0) {
            b.size(pick(r, sizes));
        }
        if (r.nextInt(3) == 0) {
            b.resolution(pick(r, List.of("480P", "720P", "1080P", "4K")));
        }
        if (r.nextInt(2) == 0) {
            b.duration(r.nextInt(17));
        }
        if (r.nextInt(4) == 0) {
            b.audio(r.nextBoolean());
        }
        if (r.nextInt(6) == 0) {
            b.audioUrl("https://example.com/track.mp3");
        }
        if (r.nextInt(6) == 0) {
            b.shotType(pick(r, List.of("single", "multi", "triple")));
        }
        if (r.nextInt(8) == 0) {
            b.seed(r.nextBoolean() ? -1L : 42L);
        }
        return b.build();
    }

    private static <T> T pick(Random r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }
}
