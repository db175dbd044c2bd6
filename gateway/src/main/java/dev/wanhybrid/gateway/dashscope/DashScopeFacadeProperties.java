package dev.wanhybrid.gateway.dashscope;

import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The DashScope-compatible facade ({@code gateway.dashscope}).
 *
 * @param hybridModels DashScope model names that are answered by routing ({@code auto}) when the request is silent
 *     text-to-video, so Wan 2.1/2.2-class work may run on the local GPUs; every other model name is pinned
 */
@ConfigurationProperties("gateway.dashscope")
public record DashScopeFacadeProperties(
        @DefaultValue({"wan2.1-t2v-turbo", "wan2.1-t2v-plus", "wan2.2-t2v-plus", "wanx2.1-t2v-turbo",
            "wanx2.1-t2v-plus"}) List<String> hybridModels) {

    Set<String> hybrid() {
        return Set.copyOf(hybridModels);
    }
}
