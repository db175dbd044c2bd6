package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cloud.catalog.VideoMode;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.routing.BackendHealth;
import dev.wanhybrid.gateway.routing.LatencyObservations;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.Router;
import dev.wanhybrid.gateway.routing.RoutingContext;
import dev.wanhybrid.gateway.web.ApiException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * {@code POST /v1/videos} with {@code media}: reference-to-video, first/last frame and video editing are read off
 * the wire into the request's mode and routed to a model that does that mode; malformed media is a 400 naming
 * the item.
 */
class CreateWithMediaTest {

    private static final ModelCatalog CATALOG = CatalogFixtures.shipped();
    private final VideoRequestReader reader = new VideoRequestReader(ApiFixtures.defaults());

    private GenerationSpec spec(String body) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/videos");
        request.setContentType("application/json");
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        return reader.read(request).toSpec("acme", null);
    }

    private static Route route(GenerationSpec spec) throws NoRouteException {
        return new Router().decide(spec, new RoutingContext(CATALOG,
                Map.of("local", new BackendHealth("local", true, "CLOSED", "ready", Set.of("wan2.1-t2v-1.3b")),
                        "cloud", BackendHealth.up("cloud")),
                LocalQueueState.IDLE, LatencyObservations.NONE, null, new HashMap<>(),
                Instant.parse("2026-12-05T04:00:00Z")));
    }

    @Test
    void referenceToVideoGoesToTheModelThatCastsReferences() throws Exception {
        GenerationSpec spec = spec("""
                {"prompt": "Video 1 waves to Image 1", "size": "1280x720", "seconds": 5, "media": [
                  {"type": "reference_video", "url": "https://media.example.com/a.mp4"},
                  {"type": "reference_image", "url": "https://media.example.com/b.png"}]}""");

        assertThat(spec.mode()).isEqualTo(VideoMode.REFERENCE_TO_VIDEO);
        assertThat(spec.kind()).isEqualTo(TaskKind.T2V);
        Route route = route(spec);
        assertThat(route.chosen().model()).isEqualTo("wan2.7-r2v");
        assertThat(route.rejected()).filteredOn(r -> r.model().equals("wan2.6-t2v")).singleElement()
                .satisfies(r -> assertThat(r.detail()).isEqualTo("wan2.6-t2v does not do r2v."));
    }

    @Test
    void firstAndLastFramesAreImageToVideoOnWan27() throws Exception {
        GenerationSpec spec = spec("""
                {"prompt": "the door opens", "size": "1280x720", "media": [
                  {"type": "first_frame", "url": "https://media.example.com/a.png"},
                  {"type": "last_frame", "url": "https://media.example.com/b.png"}]}""");

        assertThat(spec.mode()).isEqualTo(VideoMode.FIRST_LAST_FRAME);
        assertThat(spec.kind()).isEqualTo(TaskKind.I2V);
        assertThat(spec.inputImage()).isEqualTo(URI.create("https://media.example.com/a.png"));
        assertThat(route(spec).candidates()).extracting(c -> c.model()).containsExactly("wan2.7-i2v");
    }

    @Test
    void aVideoToEditGoesToTheEditingModel() throws Exception {
        GenerationSpec spec = spec("""
                {"prompt": "make it claymation", "size": "1280x720", "media": [
                  {"type": "video", "url": "https://media.example.com/in.mp4"}]}""");

        assertThat(route(spec).chosen().model()).isEqualTo("wan2.7-videoedit");
    }

    @Test
    void malformedMediaIsA400NamingTheItem() {
        assertRefused("""
                {"prompt": "p", "media": [{"type": "actor", "url": "https://media.example.com/a.png"}]}""",
                "media[0].type");
        assertRefused("""
                {"prompt": "p", "media": [{"type": "reference_image", "url": "ftp://media.example.com/a.png"}]}""",
                "media[0].url");
        assertRefused("""
                {"prompt": "p", "media": [{"type": "reference_image"}]}""", "media[0].url");
        assertRefused("""
                {"prompt": "p", "media": [{"type": "last_frame", "url": "https://media.example.com/a.png"}]}""",
                "media");
        assertRefused("""
                {"prompt": "p", "media": {"type": "video"}}""", "media");
        assertRefused("""
                {"prompt": "p", "input_reference": {"image_url": "https://media.example.com/a.png"},
                 "media": [{"type": "reference_image", "url": "https://media.example.com/b.png"}]}""",
                "input_reference");
    }

    private void assertRefused(String body, String param) {
        assertThatThrownBy(() -> spec(body)).as(body).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status().value()).isEqualTo(400);
            assertThat(e.param()).isEqualTo(param);
        });
    }
}
