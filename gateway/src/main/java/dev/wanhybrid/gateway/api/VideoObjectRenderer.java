package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobRenderer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Job events carry the video object exactly as the API returns it, so SSE and webhook readers see one shape. */
@Component
class VideoObjectRenderer implements JobRenderer {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ApiProperties properties;
    private final ObjectProvider<ModelCatalog> catalog;

    VideoObjectRenderer(ApiProperties properties, ObjectProvider<ModelCatalog> catalog) {
        this.properties = properties;
        this.catalog = catalog;
    }

    @Override
    public String render(Job job) {
        return JSON.writeValueAsString(toVideo(job));
    }

    /** The video object of a job, with the model's default size filled in when the request named none. */
    VideoObject toVideo(Job job) {
        return VideoObject.of(job, properties.videoRetention(), this::defaultSize);
    }

    private String defaultSize(String model) {
        ModelCatalog models = catalog.getIfAvailable();
        return models == null ? null : models.find(model).map(m -> m.defaultSize() == null ? null
                : m.defaultSize().toString()).orElse(null);
    }
}
