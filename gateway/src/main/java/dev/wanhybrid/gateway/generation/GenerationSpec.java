package dev.wanhybrid.gateway.generation;

import java.net.URI;

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
        VideoOrigin origin) {

    public static final String AUTO_MODEL = "auto";

    /** A request without a LoRA. */
    public GenerationSpec(String tenant, String model, TaskKind kind, String prompt, String negativePrompt,
            VideoSize size, int seconds, Long seed, URI inputImage, AudioSpec audio, URI webhookUrl,
            RoutingHints routing) {
        this(tenant, model, kind, prompt, negativePrompt, size, seconds, seed, inputImage, audio, webhookUrl, routing,
                null);
    }

    /** A request derived from no other video. */
    public GenerationSpec(String tenant, String model, TaskKind kind, String prompt, String negativePrompt,
            VideoSize size, int seconds, Long seed, URI inputImage, AudioSpec audio, URI webhookUrl,
            RoutingHints routing, String lora) {
        this(tenant, model, kind, prompt, negativePrompt, size, seconds, seed, inputImage, audio, webhookUrl, routing,
                lora, null);
    }

    /**
     * This request's settings (model, size, seed, sound, webhook, routing hints, LoRA) for a new video derived from
     * it: its own prompt, input image (which decides the kind) and length.
     */
    public GenerationSpec derive(VideoOrigin from, String newPrompt, URI newInputImage, int newSeconds) {
        return new GenerationSpec(tenant, model, newInputImage == null ? TaskKind.T2V : TaskKind.I2V, newPrompt,
                negativePrompt, size, newSeconds, seed, newInputImage, audio, webhookUrl, routing, lora, from);
    }

    public GenerationSpec {
        audio = audio == null ? AudioSpec.NONE : audio;
        routing = routing == null ? RoutingHints.NONE : routing;
        model = model == null || model.isBlank() ? AUTO_MODEL : model;
    }
}
