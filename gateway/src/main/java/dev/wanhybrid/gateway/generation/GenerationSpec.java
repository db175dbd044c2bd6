package dev.wanhybrid.gateway.generation;

import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.catalog.VideoMode;
import java.net.URI;
import java.util.List;

/**
 * One validated, protocol-neutral video generation request: what both API facades produce and what the router,
 * the job store and the backends consume.
 *
 * @param tenant the authenticated tenant id
 * @param model a catalog model id, or {@code "auto"}
 * @param kind text-to-video or image-to-video
 * @param prompt the text prompt
 * @param negativePrompt what to avoid, or {@code null}
 * @param size output size; {@code null} lets the chosen model use its default
 * @param seconds clip length in seconds
 * @param seed sampling seed, or {@code null} for a random one
 * @param inputImage reference to the first-frame image (an http(s) URL or {@code upload:<key>} for a stored
 *     upload), or {@code null} for text-to-video
 * @param audio the wanted sound track
 * @param webhookUrl where status changes are posted, or {@code null}
 * @param routing the caller's routing hints
 * @param lora a LoRA from the local engine's registry ({@code gateway.local.loras}), or {@code null}; only the
 *     local backend can serve it
 * @param origin the video this request was derived from (remix, extension), or {@code null}
 * @param media typed inputs of the newer request modes (reference-to-video, first-and-last-frame, continuation,
 *     video editing); empty for plain text- and image-to-video
 */
public record GenerationSpec(
        String tenant,
        String model,
        TaskKind kind,
        String prompt,
        String negativePrompt,
        VideoSize size,
        int seconds,
        Long seed,
        URI inputImage,
        AudioSpec audio,
        URI webhookUrl,
        RoutingHints routing,
        String lora,
        VideoOrigin origin,
        List<MediaInput> media) {

    public static final String AUTO_MODEL = "auto";

    /** A request without a LoRA. */
    public GenerationSpec(String tenant, String model, TaskKind kind, String prompt, String negativePrompt,
            VideoSize size, int seconds, Long seed, URI inputImage, AudioSpec audio, URI webhookUrl,
            RoutingHints routing) {
        this(tenant, model, kind, prompt, negativePrompt, size, seconds, seed, inputImage, audio, webhookUrl, routing,
                null, null, List.of());
    }

    /** A request derived from no other video, without typed media. */
    public GenerationSpec(String tenant, String model, TaskKind kind, String prompt, String negativePrompt,
            VideoSize size, int seconds, Long seed, URI inputImage, AudioSpec audio, URI webhookUrl,
            RoutingHints routing, String lora) {
        this(tenant, model, kind, prompt, negativePrompt, size, seconds, seed, inputImage, audio, webhookUrl, routing,
                lora, null, List.of());
    }

    /** A request derived from another video ({@code origin}), without typed media. */
    public GenerationSpec(String tenant, String model, TaskKind kind, String prompt, String negativePrompt,
            VideoSize size, int seconds, Long seed, URI inputImage, AudioSpec audio, URI webhookUrl,
            RoutingHints routing, String lora, VideoOrigin origin) {
        this(tenant, model, kind, prompt, negativePrompt, size, seconds, seed, inputImage, audio, webhookUrl, routing,
                lora, origin, List.of());
    }

    /** A request with typed media, derived from no other video. */
    public GenerationSpec(String tenant, String model, TaskKind kind, String prompt, String negativePrompt,
            VideoSize size, int seconds, Long seed, URI inputImage, AudioSpec audio, URI webhookUrl,
            RoutingHints routing, String lora, List<MediaInput> media) {
        this(tenant, model, kind, prompt, negativePrompt, size, seconds, seed, inputImage, audio, webhookUrl, routing,
                lora, null, media);
    }

    /**
     * This request's settings (model, size, seed, sound, webhook, routing hints, LoRA) for a new video derived from
     * it: its own prompt, input image (which decides the kind) and length. A remix keeps the source's typed media
     * (its reference images or videos); an extension, which starts from a frame, has none.
     */
    /** The same request at another size. */
    public GenerationSpec withSize(VideoSize newSize) {
        return new GenerationSpec(tenant, model, kind, prompt, negativePrompt, newSize, seconds, seed, inputImage,
                audio, webhookUrl, routing, lora, origin, media);
    }

    /** The same request with other routing hints. */
    public GenerationSpec withRouting(RoutingHints hints) {
        return new GenerationSpec(tenant, model, kind, prompt, negativePrompt, size, seconds, seed, inputImage,
                audio, webhookUrl, hints, lora, origin, media);
    }

    public GenerationSpec derive(VideoOrigin from, String newPrompt, URI newInputImage, int newSeconds) {
        List<MediaInput> kept = from.relation() == VideoOrigin.Relation.REMIX ? media : List.of();
        return new GenerationSpec(tenant, model, newInputImage == null ? TaskKind.T2V : TaskKind.I2V, newPrompt,
                negativePrompt, size, newSeconds, seed, newInputImage, audio, webhookUrl, routing, lora, from, kept);
    }

    public GenerationSpec {
        media = media == null ? List.of() : List.copyOf(media);
        audio = audio == null ? AudioSpec.NONE : audio;
        routing = routing == null ? RoutingHints.NONE : routing;
        model = model == null || model.isBlank() ? AUTO_MODEL : model;
    }

    /**
     * What the request asks for: from its media when it has any (the cloud catalog's rule), else text- or
     * image-to-video by its kind. Media that make no mode were refused at the edge.
     */
    public VideoMode mode() {
        if (media.isEmpty()) {
            return kind == TaskKind.I2V ? VideoMode.IMAGE_TO_VIDEO : VideoMode.TEXT_TO_VIDEO;
        }
        return ModelCatalog.modeOf(media.stream()
                .map(m -> VideoRequest.Media.of(m.type(), m.url().toString())).toList())
                .orElseThrow(() -> new IllegalStateException("media that make no mode: " + media));
    }
}
