package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cloud.catalog.VideoMode;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.preview.ResultPreviews;
import dev.wanhybrid.gateway.storage.LocalDiskResultStore;
import dev.wanhybrid.gateway.web.ApiException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class DerivedVideosTest {

    @TempDir
    Path root;

    private DerivedVideos derived(ModelCatalog catalog) throws Exception {
        return derived(catalog, new SourceLinkProperties(null, null, Duration.ofHours(1)));
    }

    private DerivedVideos derived(ModelCatalog catalog, SourceLinkProperties linkSettings) throws Exception {
        LocalDiskResultStore store = new LocalDiskResultStore(root);
        ApiProperties limits = ApiFixtures.defaults();
        return new DerivedVideos(limits, new InputUploads(store, limits), new ResultPreviews(store),
                new SourceVideoLinks(store, linkSettings, Clock.systemUTC()),
                new StaticListableBeanFactory(Map.of("catalog", catalog)).getBeanProvider(ModelCatalog.class));
    }

    private static VideoRequestReader.DerivedBody body(String json) {
        return new VideoRequestReader.DerivedBody((ObjectNode) JsonMapper.builder().build().readTree(json), Set.of());
    }

    @Test
    void anEditIsRefusedNamingTheCapabilityOnlyWhenNoModelInTheCatalogEdits() throws Exception {
        ModelCatalog shipped = CatalogFixtures.shipped();
        assertThat(shipped.models()).anyMatch(m -> shipped.supportsMode(m.id(), VideoMode.VIDEO_EDIT));
        // The same models without the cloud catalog's capabilities: none of them edits.
        ModelCatalog noEditing = new ModelCatalog(shipped.models());
        assertThat(noEditing.models()).noneMatch(m -> noEditing.supportsMode(m.id(), VideoMode.VIDEO_EDIT));

        List<String> looked = new ArrayList<>();
        assertThatThrownBy(() -> derived(noEditing).edit(id -> {
            looked.add(id);
            return null;
        }, body("{\"prompt\": \"make it sunny\", \"video\": {\"id\": \"video_1\"}}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("video");
                    assertThat(e.code()).isEqualTo("capability_unavailable");
                    assertThat(e.getMessage()).contains("video_editing");
                });
        assertThat(looked).as("the source is checked to be the caller's first").containsExactly("video_1");

        assertThatThrownBy(() -> derived(noEditing).edit(id -> null, body("{\"video\": {\"id\": \"video_1\"}}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo("prompt"));
        assertThatThrownBy(() -> derived(shipped).edit(id -> null,
                body("{\"prompt\": \"x\", \"video\": {\"id\": \"video_1\"}, \"seconds\": \"4\"}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("unknown_parameter"));
    }

    private static final String ADA = "char_" + "a".repeat(32);
    private static final String BO = "char_" + "b".repeat(32);
    private static final SourceLinkProperties SIGNING = new SourceLinkProperties(
            java.net.URI.create("https://gw.example.test"), "a-secret-of-at-least-thirty-two-characters",
            Duration.ofHours(1));

    private static CreateVideoRequest request(String json) {
        return new CreateVideoRequestParser(ApiFixtures.defaults())
                .parse(JsonMapper.builder().build().readTree(json), false, null);
    }

    private static VideoCharacters.VideoCharacter character(String id, String tenantOwner) {
        return new VideoCharacters.VideoCharacter(id, tenantOwner, "name", "characters/" + id + "/clip.mp4", 1000,
                java.math.BigDecimal.ONE, java.time.Instant.EPOCH);
    }

    @Test
    void charactersBecomeReferenceVideosByLinkAfterTheRequestsOwnMediaInTheirOrder() throws Exception {
        List<String> asked = new ArrayList<>();
        CreateVideoRequest cast = derived(CatalogFixtures.shipped(), SIGNING).cast(request("{\"prompt\": \"x\","
                + " \"media\": [{\"type\": \"reference_image\", \"url\": \"https://example.com/a.png\"}],"
                + " \"characters\": [{\"id\": \"" + BO + "\"}, {\"id\": \"" + ADA + "\"}]}"), (id, param) -> {
                    asked.add(param);
                    return character(id, "alpha");
                });
        assertThat(asked).containsExactly("characters[0].id", "characters[1].id");
        assertThat(cast.media()).extracting(m -> m.type().wire()).containsExactly("reference_image",
                "reference_video", "reference_video");
        assertThat(cast.media()).extracting(dev.wanhybrid.gateway.generation.MediaInput::characterId)
                .containsExactly(null, BO, ADA);
        assertThat(cast.media().get(1).url().toString()).startsWith("https://gw.example.test/shared/results?key="
                + "characters%2F" + BO);
        assertThat(cast.toSpec("alpha", null).mode()).isEqualTo(VideoMode.REFERENCE_TO_VIDEO);
        assertThat(VideoObject.mapping(cast.toSpec("alpha", null))).contains("characters " + BO + ", " + ADA,
                "reference_video", "r2v");
    }

    @Test
    void castingIsRefusedNamingTheCapabilityWhenNoModelDoesReferenceToVideoAndNamingTheFieldOtherwise()
            throws Exception {
        ModelCatalog shipped = CatalogFixtures.shipped();
        ModelCatalog noReferences = new ModelCatalog(shipped.models());
        assertThat(noReferences.models())
                .noneMatch(m -> noReferences.supportsMode(m.id(), VideoMode.REFERENCE_TO_VIDEO));
        String oneCharacter = "{\"prompt\": \"x\", \"characters\": [{\"id\": \"" + ADA + "\"}]}";
        assertThatThrownBy(() -> derived(noReferences, SIGNING).cast(request(oneCharacter),
                (id, param) -> character(id, "alpha"))).isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("characters");
                    assertThat(e.code()).isEqualTo("capability_unavailable");
                    assertThat(e.getMessage()).contains("reference_to_video");
                });
        // No link can be made: the 400 names the character and the settings.
        assertThatThrownBy(() -> derived(shipped).cast(request(oneCharacter), (id, param) -> character(id, "alpha")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.param()).isEqualTo("characters[0].id");
                    assertThat(e.code()).isEqualTo("source_link_unavailable");
                });
        // Media that ask for another mode (a first clip to continue) cannot be cast into.
        assertThatThrownBy(() -> derived(shipped, SIGNING).cast(request("{\"prompt\": \"x\", \"media\": [{\"type\":"
                + " \"first_clip\", \"url\": \"https://example.com/a.mp4\"}], \"characters\": [{\"id\": \"" + ADA
                + "\"}]}"), (id, param) -> character(id, "alpha"))).isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.param()).isEqualTo("media"));
        // A request without characters is left alone, whatever the catalog.
        CreateVideoRequest plain = request("{\"prompt\": \"x\"}");
        assertThat(derived(noReferences).cast(plain, (id, param) -> {
            throw new AssertionError("looked up " + id);
        })).isSameAs(plain);
    }

    @Test
    void theCharactersFieldIsCheckedAtTheEdge() {
        for (String[] bad : new String[][] {
            {"{\"prompt\": \"x\", \"characters\": \"" + ADA + "\"}", "characters", "invalid_type"},
            {"{\"prompt\": \"x\", \"characters\": [{\"id\": \"video_1\"}]}", "characters[0].id", "invalid_value"},
            {"{\"prompt\": \"x\", \"characters\": [{}]}", "characters[0].id", "missing_required_parameter"},
            {"{\"prompt\": \"x\", \"characters\": [{\"id\": \"" + ADA + "\", \"name\": \"A\"}]}",
                "characters[0].name", "unknown_parameter"},
            {"{\"prompt\": \"x\", \"characters\": [{\"id\": \"" + ADA + "\"}, {\"id\": \"" + ADA + "\"}]}",
                "characters[1].id", "duplicate_parameter"},
            {"{\"prompt\": \"x\", \"characters\": [\"" + ADA + "\", \"" + BO + "\", \"char_" + "c".repeat(32)
                + "\", \"char_" + "d".repeat(32) + "\"]}", "characters", "array_above_max_length"},
            {"{\"prompt\": \"x\", \"input_reference\": {\"image_url\": \"https://example.com/a.png\"},"
                + " \"characters\": [\"" + ADA + "\"]}", "input_reference", "routing_conflict"},
        }) {
            assertThatThrownBy(() -> request(bad[0])).as(bad[0]).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.param()).isEqualTo(bad[1]);
                assertThat(e.code()).isEqualTo(bad[2]);
            });
        }
        assertThat(request("{\"prompt\": \"x\", \"characters\": [\"" + ADA + "\", {\"id\": \"" + BO + "\"}]}")
                .characters()).containsExactly(ADA, BO);
    }
}
