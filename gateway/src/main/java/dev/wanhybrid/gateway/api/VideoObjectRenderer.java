package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobRenderer;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Job events carry the video object exactly as the API returns it, so SSE and webhook readers see one shape. */
@Component
class VideoObjectRenderer implements JobRenderer {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ApiProperties properties;

    VideoObjectRenderer(ApiProperties properties) {
        this.properties = properties;
    }

    @Override
    public String render(Job job) {
        return JSON.writeValueAsString(VideoObject.of(job, properties.videoRetention()));
    }
}
