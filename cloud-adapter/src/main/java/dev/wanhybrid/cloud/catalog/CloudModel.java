package dev.wanhybrid.cloud.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One cloud model as the catalog describes it.
 *
 * @param id the international model id
 * @param mainlandId the name in the mainland region when it differs ({@code wanx2.1-*}), else {@code null}
 * @param family {@code wan2.1} .. {@code wan2.6}
 * @param kind what the model makes a video from
 * @param tiers quality tiers offered ({@code 480P}, {@code 720P}, {@code 1080P})
 * @param defaultTier the tier used when a request names none
 * @param durations accepted output lengths in seconds
 * @param defaultDuration the length used when a request names none
 * @param audio how the model treats sound
 * @param audioUrl whether it accepts {@code audio_url}
 * @param shotTypes accepted {@code shot_type} values (empty: the parameter is not supported)
 * @param promptMaxChars longer prompts are truncated by the service
 * @param imageMaxMb the largest input image
 * @param concurrency tasks the account may have in progress for this model
 * @param createsPerSecond create requests per second the account may send for this model
 * @param usageShape the shape of its usage block
 * @param billsInputVideo whether input reference video seconds are billed too
 * @param confirmed false when the entry was not shown verbatim in Alibaba's public docs
 */
public record CloudModel(
        String id,
        @JsonProperty("mainland-id") String mainlandId,
        String family,
        ModelKind kind,
        List<String> tiers,
        @JsonProperty("default-tier") String defaultTier,
        List<Integer> durations,
        @JsonProperty("default-duration") int defaultDuration,
        AudioSupport audio,
        @JsonProperty("audio-url") boolean audioUrl,
        @JsonProperty("shot-types") List<String> shotTypes,
        @JsonProperty("prompt-max-chars") int promptMaxChars,
        @JsonProperty("image-max-mb") int imageMaxMb,
        int concurrency,
        @JsonProperty("creates-per-second") int createsPerSecond,
        @JsonProperty("usage-shape") String usageShapeName,
        @JsonProperty("bills-input-video") boolean billsInputVideo,
        Boolean confirmed) {

    public CloudModel {
        tiers = List.copyOf(tiers);
        durations = List.copyOf(durations);
        shotTypes = shotTypes == null ? List.of() : List.copyOf(shotTypes);
        confirmed = confirmed == null ? Boolean.TRUE : confirmed;
    }

    public UsageShape usageShape() {
        return UsageShape.valueOf(usageShapeName.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }

    /** The version number as a comparable string, {@code 2.6} for {@code wan2.6}. */
    public String version() {
        return family.startsWith("wan") ? family.substring(3) : family;
    }

    public boolean hasAudio(Boolean audioParameter) {
        return switch (audio) {
            case NONE -> false;
            case ALWAYS -> true;
            case OPTIONAL -> audioParameter == null || audioParameter;
        };
    }
}
