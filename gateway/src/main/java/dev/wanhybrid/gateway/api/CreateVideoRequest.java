package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.net.URI;

/**
 * A create request after validation, before the tenant, the job id and any upload are attached.
 *
 * @param imageUrl {@code input_reference.image_url}, or {@code null}
 * @param upload the uploaded {@code input_reference} image, or {@code null}
 * @param lora the {@code lora} extension field: a LoRA name from {@code gateway.local.loras}, or {@code null}
 */
record CreateVideoRequest(
        String prompt,
        String model,
        Integer seconds,
        VideoSize size,
        String negativePrompt,
        Long seed,
        URI imageUrl,
        ImageUpload upload,
        AudioSpec audio,
        URI webhookUrl,
        RoutingHints routing,
        String lora) {

    /**
     * The protocol-neutral request for one tenant: image-to-video when there is an input image ({@code image},
     * the {@code image_url} or the stored upload), text-to-video otherwise.
     */
    GenerationSpec toSpec(String tenant, URI image) {
        return new GenerationSpec(tenant, model, image == null ? TaskKind.T2V : TaskKind.I2V, prompt, negativePrompt,
                size, seconds, seed, image, audio, webhookUrl, routing, lora);
    }

    /** An uploaded image: its checked content type and bytes. */
    record ImageUpload(String contentType, String extension, byte[] bytes) {}
}
