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
        LocalDiskResultStore store = new LocalDiskResultStore(root);
        ApiProperties limits = ApiFixtures.defaults();
        return new DerivedVideos(limits, new InputUploads(store, limits), new ResultPreviews(store),
                new SourceVideoLinks(store, new SourceLinkProperties(null, null, Duration.ofHours(1)),
                        Clock.systemUTC()),
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
}
