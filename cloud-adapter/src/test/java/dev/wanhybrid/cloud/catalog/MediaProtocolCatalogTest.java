package dev.wanhybrid.cloud.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.VideoRequest.Media;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The new protocol's {@code input.media[]} rules, its modes, smart durations and the model lifecycle. */
class MediaProtocolCatalogTest {

    private static final String IMG = "https://example.com/a.png";
    private static final String VID = "https://example.com/a.mp4";
    private static final String WAV = "https://example.com/a.wav";
    private static final LocalDate DAY = LocalDate.of(2026, 12, 5);

    private final ModelCatalog catalog = ModelCatalog.load();

    private static Media m(MediaType type, String url) {
        return Media.of(type, url);
    }

    private List<Violation> check(String model, List<Media> media) {
        return catalog.validate(VideoRequest.builder(model).prompt("a cat").media(media).build(), true);
    }

    @Test
    void theModeFollowsFromTheMedia() {
        assertThat(ModelCatalog.modeOf(List.of())).contains(VideoMode.TEXT_TO_VIDEO);
        assertThat(ModelCatalog.modeOf(List.of(m(MediaType.FIRST_FRAME, IMG), m(MediaType.DRIVING_AUDIO, WAV))))
                .contains(VideoMode.IMAGE_TO_VIDEO);
        assertThat(ModelCatalog.modeOf(List.of(m(MediaType.FIRST_FRAME, IMG), m(MediaType.LAST_FRAME, IMG))))
                .contains(VideoMode.FIRST_LAST_FRAME);
        assertThat(ModelCatalog.modeOf(List.of(m(MediaType.FIRST_CLIP, VID), m(MediaType.LAST_FRAME, IMG))))
                .contains(VideoMode.VIDEO_CONTINUATION);
        assertThat(ModelCatalog.modeOf(List.of(m(MediaType.REFERENCE_VIDEO, VID), m(MediaType.REFERENCE_IMAGE, IMG),
                m(MediaType.FIRST_FRAME, IMG)))).contains(VideoMode.REFERENCE_TO_VIDEO);
        assertThat(ModelCatalog.modeOf(List.of(m(MediaType.VIDEO, VID), m(MediaType.REFERENCE_IMAGE, IMG))))
                .contains(VideoMode.VIDEO_EDIT);
        // Combinations the protocol refuses have no mode.
        assertThat(ModelCatalog.modeOf(List.of(m(MediaType.LAST_FRAME, IMG)))).isEmpty();
        assertThat(ModelCatalog.modeOf(List.of(m(MediaType.FIRST_CLIP, VID), m(MediaType.DRIVING_AUDIO, WAV))))
                .isEmpty();
        assertThat(ModelCatalog.modeOf(List.of(m(MediaType.FIRST_FRAME, IMG), m(MediaType.FIRST_FRAME, IMG))))
                .isEmpty();
        assertThat(ModelCatalog.modeOf(List.of(m(MediaType.VIDEO, VID), m(MediaType.FIRST_FRAME, IMG)))).isEmpty();
    }

    @Test
    void eachModelAcceptsItsModesOnly() {
        assertThat(check("wan2.7-i2v", List.of(m(MediaType.FIRST_FRAME, IMG), m(MediaType.LAST_FRAME, IMG))))
                .isEmpty();
        assertThat(check("wan2.7-i2v", List.of(m(MediaType.REFERENCE_IMAGE, IMG))))
                .extracting(Violation::field, Violation::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("input.media",
                        "wan2.7-i2v does not do r2v; it does [i2v, flf2v, continuation]"));
        assertThat(check("wan2.7-r2v", List.of(m(MediaType.REFERENCE_IMAGE, IMG), m(MediaType.REFERENCE_VIDEO, VID))))
                .isEmpty();
        assertThat(check("wan2.7-videoedit", List.of(m(MediaType.VIDEO, VID)))).isEmpty();
        assertThat(check("wan2.7-t2v", List.of())).isEmpty();
        for (VideoMode mode : VideoMode.values()) {
            assertThat(catalog.find("wan3.0-video").orElseThrow().supports(mode)).as(mode.id()).isTrue();
        }
    }

    @Test
    void malformedMediaIsRefusedNamingTheItem() {
        assertThat(check("wan2.7-i2v", List.of(new Media("first_image", IMG))))
                .extracting(Violation::field).containsExactly("input.media[0].type");
        assertThat(check("wan2.7-i2v", List.of(new Media("first_frame", null))))
                .extracting(Violation::field).containsExactly("input.media[0].url");
        assertThat(check("wan2.7-i2v", List.of(new Media("first_frame", "file:///etc/passwd"))))
                .extracting(Violation::field, Violation::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("input.media[0].url", "InvalidURL"));
        // Images may be inline; a video may not.
        assertThat(check("wan2.7-i2v", List.of(m(MediaType.FIRST_FRAME, "data:image/png;base64,iVBO")))).isEmpty();
        assertThat(check("wan2.7-videoedit", List.of(m(MediaType.VIDEO, "data:video/mp4;base64,AAAA"))))
                .extracting(Violation::field).containsExactly("input.media[0].url");
        List<Media> six = java.util.Collections.nCopies(6, m(MediaType.REFERENCE_IMAGE, IMG));
        assertThat(check("wan2.7-r2v", six)).extracting(Violation::message)
                .containsExactly("at most 5 reference images and videos, got 6");
        assertThat(check("wan2.7-i2v", List.of(m(MediaType.DRIVING_AUDIO, WAV)))).extracting(Violation::message)
                .containsExactly("driving_audio needs a first_frame");
    }

    @Test
    void sizesDurationsAndTheLegacyFieldsFollowTheProtocol() {
        VideoRequest.Builder r2v = VideoRequest.builder("wan2.7-r2v").prompt("p")
                .media(List.of(m(MediaType.REFERENCE_VIDEO, VID)));
        assertThat(catalog.validate(r2v.duration(12).build(), true)).extracting(Violation::field)
                .containsExactly("parameters.duration");
        assertThat(catalog.validate(r2v.duration(10).ratio("21:9").build(), true)).extracting(Violation::field)
                .containsExactly("parameters.ratio");
        assertThat(catalog.validate(VideoRequest.builder("wan2.7-t2v").prompt("p").size("1280*720").build(), true))
                .extracting(Violation::field).containsExactly("parameters.size");
        assertThat(catalog.validate(VideoRequest.builder("wan2.7-i2v").imgUrl(IMG).media(List.of(
                m(MediaType.FIRST_FRAME, IMG))).build(), true)).extracting(Violation::field)
                .containsExactly("input.img_url");
        assertThat(catalog.validate(VideoRequest.builder("wan2.6-t2v").prompt("p").media(List.of()).build(), true))
                .extracting(Violation::field).containsExactly("input.media");
        // wan3.0: 2-30 s, -1 lets the model choose, 480P exists; wan2.7 has neither.
        VideoRequest smart = VideoRequest.builder("wan3.0-video").prompt("p").duration(-1).resolution("480P").build();
        assertThat(catalog.validate(smart, true)).isEmpty();
        assertThat(catalog.validate(VideoRequest.builder("wan2.7-t2v").prompt("p").duration(-1).resolution("480P")
                .build(), true)).extracting(Violation::field)
                .containsExactlyInAnyOrder("parameters.resolution", "parameters.duration");
        assertThat(catalog.billableSeconds(catalog.find("wan3.0-video").orElseThrow(), smart)).isEqualTo(30);
        // An edit that keeps the input's length is reserved at the longest the model makes (10 s), plus the billed
        // input video at its longest (10 s): 20 s at 1080P's $0.15.
        VideoRequest keep = VideoRequest.builder("wan2.7-videoedit").prompt("p").duration(0)
                .media(List.of(m(MediaType.VIDEO, VID))).build();
        assertThat(catalog.validate(keep, true)).isEmpty();
        assertThat(catalog.estimate(keep, Region.INTERNATIONAL, DAY).orElseThrow().amount())
                .isEqualByComparingTo("3.00");
        // Only the video counts (a reference image bills nothing); a first-and-last-frame video has no input video.
        assertThat(catalog.find("wan2.7-videoedit").orElseThrow().reservedInputVideoSeconds(List.of(
                MediaType.VIDEO, MediaType.REFERENCE_IMAGE))).isEqualTo(10);
        assertThat(catalog.find("wan2.7-i2v").orElseThrow().reservedInputVideoSeconds(List.of(
                MediaType.FIRST_FRAME, MediaType.LAST_FRAME))).isZero();
    }

    @Test
    void aRetiredModelIsRefusedFromItsDateWithItsSuccessor() throws IOException {
        ModelCatalog dated = withLifecycle("wan2.6-t2v", "    retires-on: 2026-12-06\n    successor: wan2.7-t2v\n");
        VideoRequest r = VideoRequest.builder("wan2.6-t2v").prompt("p").build();
        assertThat(dated.validate(r, true, DAY)).isEmpty();
        assertThat(dated.lifecycle("wan2.6-t2v", DAY, 7).orElseThrow().state())
                .isEqualTo(ModelLifecycle.State.RETIRING);
        assertThat(dated.lifecycle("wan2.6-t2v", DAY.minusDays(30), 7).orElseThrow().state())
                .isEqualTo(ModelLifecycle.State.ACTIVE);
        assertThat(dated.validate(r, true, DAY.plusDays(1))).extracting(Violation::field, Violation::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("model",
                        "model wan2.6-t2v was retired on 2026-12-06; use its successor wan2.7-t2v"));
        // Not yet released: wan3.0-video before 2026-08-01.
        assertThat(catalog.validate(VideoRequest.builder("wan3.0-video").prompt("p").build(), true,
                LocalDate.of(2026, 7, 31))).extracting(Violation::message)
                .containsExactly("model wan3.0-video is available from 2026-08-01");
    }

    /** The bundled catalog with lifecycle lines added to one model. */
    static ModelCatalog withLifecycle(String model, String lines) throws IOException {
        String yaml;
        try (InputStream in = ModelCatalog.class.getResourceAsStream(ModelCatalog.RESOURCE)) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String marker = "  - id: " + model + "\n";
        int at = yaml.indexOf(marker);
        assertThat(at).isNotNegative();
        yaml = yaml.substring(0, at + marker.length()) + lines + yaml.substring(at + marker.length());
        return ModelCatalog.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }
}
