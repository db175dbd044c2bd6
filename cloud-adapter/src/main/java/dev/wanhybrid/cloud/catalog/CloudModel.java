package dev.wanhybrid.cloud.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.LocalDate;
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
 * @param protocol the request shape it reads ({@code null}: legacy)
 * @param modes what it can do; {@code null} derives the one mode of a legacy kind
 * @param ratios accepted {@code parameters.ratio} values (new protocol; empty: not sent)
 * @param smartDuration whether {@code duration: -1} lets the model choose the length (wan3.0-video)
 * @param maxReferences the most reference images and videos one request may carry (new protocol; default 5)
 * @param referenceVideoMaxDuration the longest output when a reference video is given, or {@code null}
 * @param availableFrom the first day the model may be sent, or {@code null}
 * @param retiresOn the first day it may no longer be sent, or {@code null}
 * @param successor the model to use once it is retired, or {@code null}
 * @param inputVideoMaxSeconds the longest input video (reference or edited) one item may be, which is what a
 *     reservation counts for it where input video is billed; {@code null}: the model's longest output
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
        Boolean confirmed,
        ModelProtocol protocol,
        List<VideoMode> modes,
        List<String> ratios,
        @JsonProperty("smart-duration") boolean smartDuration,
        @JsonProperty("max-references") Integer maxReferences,
        @JsonProperty("reference-video-max-duration") Integer referenceVideoMaxDuration,
        @JsonProperty("available-from") LocalDate availableFrom,
        @JsonProperty("retires-on") LocalDate retiresOn,
        String successor,
        @JsonProperty("input-video-max-seconds") Integer inputVideoMaxSeconds) {

    /** The length {@code duration} asks for when the model chooses it ({@link #smartDuration()}). */
    public static final int SMART_DURATION = -1;

    public CloudModel {
        protocol = protocol == null ? ModelProtocol.LEGACY : protocol;
        modes = modes == null ? legacyModes(id, kind) : List.copyOf(modes);
        ratios = ratios == null ? List.of() : List.copyOf(ratios);
        maxReferences = maxReferences == null ? 5 : maxReferences;
        tiers = List.copyOf(tiers);
        durations = List.copyOf(durations);
        shotTypes = shotTypes == null ? List.of() : List.copyOf(shotTypes);
        confirmed = confirmed == null ? Boolean.TRUE : confirmed;
        inputVideoMaxSeconds = inputVideoMaxSeconds == null ? java.util.Collections.max(durations)
                : inputVideoMaxSeconds;
    }

    /**
     * The input video seconds to reserve for these input types: each reference or edited video at its longest
     * ({@link #inputVideoMaxSeconds}), where the model bills input video; otherwise none. Its length is known
     * only once DashScope reports it in the usage, so the reservation is an upper bound.
     */
    public int reservedInputVideoSeconds(java.util.Collection<MediaType> inputs) {
        if (!billsInputVideo) {
            return 0;
        }
        return (int) inputs.stream().filter(MediaType::billedAsInputVideo).count() * inputVideoMaxSeconds;
    }

    private static List<VideoMode> legacyModes(String id, ModelKind kind) {
        return switch (kind) {
            case T2V -> List.of(VideoMode.TEXT_TO_VIDEO);
            case I2V -> List.of(VideoMode.IMAGE_TO_VIDEO);
            case R2V -> List.of(VideoMode.REFERENCE_TO_VIDEO);
            case KF2V -> List.of(VideoMode.FIRST_LAST_FRAME);
            case EDIT, ANY -> throw new IllegalArgumentException("model " + id + " of kind " + kind
                    + " must list its modes");
        };
    }

    public boolean supports(VideoMode mode) {
        return modes.contains(mode);
    }

    /** Whether it reads the new {@code input.media[]} shape. */
    public boolean usesMedia() {
        return protocol == ModelProtocol.MEDIA;
    }

    /** The longest output it can make (the upper bound of a smart duration). */
    public int maxDuration() {
        return durations.stream().mapToInt(Integer::intValue).max().orElse(defaultDuration);
    }

    /** Where it stands on {@code day}, with {@code warnDays} of notice before a retirement. */
    public ModelLifecycle lifecycleOn(LocalDate day, int warnDays) {
        ModelLifecycle.State state;
        if (availableFrom != null && day.isBefore(availableFrom)) {
            state = ModelLifecycle.State.NOT_YET_AVAILABLE;
        } else if (retiresOn != null && !day.isBefore(retiresOn)) {
            state = ModelLifecycle.State.RETIRED;
        } else if (retiresOn != null && !day.plusDays(warnDays).isBefore(retiresOn)) {
            state = ModelLifecycle.State.RETIRING;
        } else {
            state = ModelLifecycle.State.ACTIVE;
        }
        return new ModelLifecycle(state, availableFrom, retiresOn, successor);
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
