package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.gateway.storage.LocalDiskResultStore;
import dev.wanhybrid.gateway.web.ApiException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceVideoLinksTest {

    private static final String SECRET = "a-secret-of-at-least-thirty-two-characters";
    private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");
    private static final Pattern LINK = Pattern.compile("key=([^&]+)&expires=(\\d+)&signature=([A-Za-z0-9_-]+)");

    @TempDir
    Path root;

    private SourceVideoLinks links(String base, String secret, Instant now) throws Exception {
        return new SourceVideoLinks(new LocalDiskResultStore(root),
                new SourceLinkProperties(base == null ? null : URI.create(base), secret, Duration.ofHours(24)),
                Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aLocalDiskStoreGetsASignedGatewayLinkThatVerifiesUntilItExpires() throws Exception {
        SourceVideoLinks links = links("https://gw.example.com/", SECRET, NOW);
        URI link = links.linkTo("videos/video_1.mp4", "video");
        assertThat(link.toString()).startsWith("https://gw.example.com/shared/results?key=videos%2Fvideo_1.mp4&");
        Matcher m = LINK.matcher(link.getRawQuery());
        assertThat(m.matches()).isTrue();
        long expires = Long.parseLong(m.group(2));
        String signature = m.group(3);
        assertThat(expires).isEqualTo(NOW.plus(Duration.ofHours(24)).getEpochSecond());
        assertThat(links.verifies("videos/video_1.mp4", expires, signature)).isTrue();

        assertThat(links.verifies("videos/video_2.mp4", expires, signature)).as("another key").isFalse();
        assertThat(links.verifies("videos/video_1.mp4", expires + 3600, signature)).as("a later expiry").isFalse();
        assertThat(links.verifies("videos/video_1.mp4", expires, signature.substring(1) + "A")).isFalse();
        assertThat(links.verifies("videos/video_1.mp4", expires, null)).isFalse();
        assertThat(links("https://gw.example.com", SECRET.replace('a', 'b'), NOW)
                .verifies("videos/video_1.mp4", expires, signature)).as("another gateway's secret").isFalse();
        assertThat(links("https://gw.example.com", SECRET, NOW.plus(Duration.ofHours(25)))
                .verifies("videos/video_1.mp4", expires, signature)).as("after it expired").isFalse();
    }

    @Test
    void withoutPresignedLinksOrAPublicBaseUrlAndSecretTheRequestIsA400NamingWhatIsMissing() throws Exception {
        for (SourceVideoLinks links : new SourceVideoLinks[] {links(null, null, NOW), links(null, SECRET, NOW),
                links("https://gw.example.com", null, NOW)}) {
            assertThatThrownBy(() -> links.linkTo("videos/video_1.mp4", "video"))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status().value()).isEqualTo(400);
                        assertThat(e.param()).isEqualTo("video");
                        assertThat(e.code()).isEqualTo("source_link_unavailable");
                        assertThat(e.getMessage()).contains("gateway.api.source-links.public-base-url",
                                "gateway.api.source-links.secret", "S3");
                    });
            assertThat(links.verifies("videos/video_1.mp4", NOW.getEpochSecond() + 60, "x")).isFalse();
        }
    }

    @Test
    void aShortSecretIsRefusedAtStartup() {
        assertThatThrownBy(() -> new SourceLinkProperties(URI.create("https://gw.example.com"), "short",
                Duration.ofHours(1))).hasMessageContaining("at least 32 characters");
    }
}
