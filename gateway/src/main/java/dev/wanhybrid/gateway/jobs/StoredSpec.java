package dev.wanhybrid.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoOrigin;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import dev.wanhybrid.cloud.catalog.MediaType;
import dev.wanhybrid.gateway.generation.MediaInput;
import java.net.URI;
import java.util.List;
import java.time.Duration;

/** The {@code spec_json} column: a {@link GenerationSpec} in a flat, stable JSON shape. */
record StoredSpec(
        @JsonProperty("tenant") String tenant,
        @JsonProperty("model") String model,
        @JsonProperty("kind") String kind,
        @JsonProperty("prompt") String prompt,
        @JsonProperty("negative_prompt") String negativePrompt,
        @JsonProperty("size") String size,
        @JsonProperty("seconds") int seconds,
        @JsonProperty("seed") Long seed,
        @JsonProperty("input_image") String inputImage,
        @JsonProperty("audio") String audio,
        @JsonProperty("audio_url") String audioUrl,
        @JsonProperty("webhook_url") String webhookUrl,
        @JsonProperty("routing_backend") String routingBackend,
        @JsonProperty("routing_objective") String routingObjective,
        @JsonProperty("routing_max_cost_usd") BigDecimal routingMaxCostUsd,
        @JsonProperty("routing_deadline_seconds") Long routingDeadlineSeconds,
        @JsonProperty("routing_local_only") boolean routingLocalOnly,
        @JsonProperty("routing_lower_tier_size") String routingLowerTierSize,
        @JsonProperty("lora") String lora,
        @JsonProperty("origin_relation") String originRelation,
        @JsonProperty("origin_video_id") String originVideoId,
        @JsonProperty("media") List<StoredMedia> media) {

    /** One typed input, by its wire name ({@code reference_image}) and URL, and the character it shows if any. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record StoredMedia(@JsonProperty("type") String type, @JsonProperty("url") String url,
            @JsonProperty("character_id") String characterId) {}

    static StoredSpec of(GenerationSpec spec) {
        String audio = switch (spec.audio()) {
            case AudioSpec.None none -> "none";
            case AudioSpec.Generated generated -> "generated";
            case AudioSpec.FromUrl fromUrl -> "url";
        };
        String audioUrl = spec.audio() instanceof AudioSpec.FromUrl(URI url) ? url.toString() : null;
        RoutingHints r = spec.routing();
        return new StoredSpec(spec.tenant(), spec.model(), spec.kind().name(), spec.prompt(), spec.negativePrompt(),
                spec.size() == null ? null : spec.size().toString(), spec.seconds(), spec.seed(),
                spec.inputImage() == null ? null : spec.inputImage().toString(), audio, audioUrl,
                spec.webhookUrl() == null ? null : spec.webhookUrl().toString(), r.backend(), r.objective().name(),
                r.maxCostUsd(), r.deadline() == null ? null : r.deadline().toSeconds(), r.localOnly(),
                r.lowerTierSize() == null ? null : r.lowerTierSize().toString(), spec.lora(),
                spec.origin() == null ? null : spec.origin().relation().name(),
                spec.origin() == null ? null : spec.origin().videoId(),
                spec.media().isEmpty() ? null : spec.media().stream()
                        .map(m -> new StoredMedia(m.type().wire(), m.url().toString(), m.characterId())).toList());
    }

    GenerationSpec toSpec() {
        AudioSpec audioSpec = switch (audio == null ? "none" : audio) {
            case "generated" -> AudioSpec.GENERATED;
            case "url" -> new AudioSpec.FromUrl(URI.create(audioUrl));
            default -> AudioSpec.NONE;
        };
        RoutingHints hints = new RoutingHints(routingBackend,
                routingObjective == null ? null : RoutingHints.Objective.valueOf(routingObjective), routingMaxCostUsd,
                routingDeadlineSeconds == null ? null : Duration.ofSeconds(routingDeadlineSeconds), routingLocalOnly,
                routingLowerTierSize == null ? null : VideoSize.parse(routingLowerTierSize));
        return new GenerationSpec(tenant, model, TaskKind.valueOf(kind), prompt, negativePrompt,
                size == null ? null : VideoSize.parse(size), seconds, seed,
                inputImage == null ? null : URI.create(inputImage), audioSpec,
                webhookUrl == null ? null : URI.create(webhookUrl), hints, lora,
                originRelation == null ? null
                        : new VideoOrigin(VideoOrigin.Relation.valueOf(originRelation), originVideoId),
                media == null ? List.of()
                        : media.stream().map(m -> new MediaInput(MediaType.parse(m.type()).orElseThrow(
                                () -> new IllegalStateException("stored media type " + m.type())),
                                URI.create(m.url()), m.characterId())).toList());
    }
}
