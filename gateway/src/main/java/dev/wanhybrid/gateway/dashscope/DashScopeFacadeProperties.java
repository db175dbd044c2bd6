package dev.wanhybrid.gateway.dashscope;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The DashScope-compatible facade ({@code gateway.dashscope}).
 *
 * @param hybridModels DashScope model names that are answered by routing ({@code auto}) when the request is silent
 *     text-to-video, so Wan 2.1/2.2-class work may run on the local GPUs; every other model name is pinned
 * @param maxBodySize largest create body; a larger one is refused before it is read
 * @param maxPromptChars longest {@code input.prompt}; a model's own documented limit (800 or 1500 characters,
 *     from the cloud catalog) applies too, since DashScope would cut a longer prompt silently
 * @param maxNegativePromptChars longest {@code input.negative_prompt} (DashScope documents 500)
 * @param maxUrlLength longest input URL
 * @param maxDuration longest {@code parameters.duration} in seconds (models narrow it further)
 */
@Validated
@ConfigurationProperties("gateway.dashscope")
public record DashScopeFacadeProperties(
        @DefaultValue({"wan2.1-t2v-turbo", "wan2.1-t2v-plus", "wan2.2-t2v-plus", "wanx2.1-t2v-turbo",
            "wanx2.1-t2v-plus"}) List<String> hybridModels,
        @NotNull @DefaultValue("64KB") DataSize maxBodySize,
        @Min(1) @Max(100_000) @DefaultValue("1500") int maxPromptChars,
        @Min(1) @Max(100_000) @DefaultValue("500") int maxNegativePromptChars,
        @Min(16) @Max(65_536) @DefaultValue("2048") int maxUrlLength,
        @Min(1) @Max(600) @DefaultValue("60") int maxDuration) {

    Set<String> hybrid() {
        return Set.copyOf(hybridModels);
    }
}
