package dev.wanhybrid.gateway.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of the {@code /v1/videos} API ({@code gateway.api.*}).
 *
 * @param maxBodySize largest JSON create body
 * @param maxPromptChars longest {@code prompt}
 * @param maxNegativePromptChars longest {@code negative_prompt}
 * @param maxImageSize largest uploaded {@code input_reference} image
 * @param maxSeconds longest clip a caller may ask for (models narrow it further)
 * @param maxUrlLength longest accepted URL
 * @param videoRetention how long a finished video stays downloadable ({@code expires_at})
 * @param imageContentTypes accepted upload types, checked against the bytes' signature too
 * @param maxImageSide longest side of an uploaded image in pixels (DashScope documents 8000 for its image input)
 */
@Validated
@ConfigurationProperties("gateway.api")
public record ApiProperties(
        @NotNull @DefaultValue("64KB") DataSize maxBodySize,
        @Min(1) @Max(100_000) @DefaultValue("4000") int maxPromptChars,
        @Min(1) @Max(100_000) @DefaultValue("2000") int maxNegativePromptChars,
        @NotNull @DefaultValue("10MB") DataSize maxImageSize,
        @Min(1) @Max(600) @DefaultValue("60") int maxSeconds,
        @Min(16) @Max(65_536) @DefaultValue("2048") int maxUrlLength,
        @NotNull @DefaultValue("7d") Duration videoRetention,
        @NotNull @DefaultValue({"image/png", "image/jpeg", "image/webp"}) List<String> imageContentTypes,
        @Min(16) @Max(65_535) @DefaultValue("8000") int maxImageSide) {}
