package dev.wanhybrid.gateway.api;

import dev.wanhybrid.cloud.catalog.MediaType;
import dev.wanhybrid.cloud.catalog.VideoMode;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.MediaInput;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.net.URI;
import java.util.List;

/**
 * A create request after validation, before the tenant, the job id and any upload are attached.
 *
 * @param imageUrl {@code input_reference.image_url}, or {@code null}
 * @param upload the uploaded {@code input_reference} image, or {@code null}
 * @param lora the {@code lora} extension field: a LoRA name from {@code gateway.local.loras}, or {@code null}
 * @param media the {@code media} extension field: typed inputs of the newer modes (reference-to-video,
 *     first/last frame, continuation, video edit), empty for plain text- and image-to-video
 * @param characters the ids of the characters to cast ({@code characters: [{"id": "char_..."}]}), empty for none;
 *     they become reference videos ({@link DerivedVideos#cast})
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
        String lora,
        List<MediaInput> media,
        List<String> characters) {

    /**
     * The protocol-neutral request for one tenant: image-to-video when there is an input image ({@code image},
     * the {@code image_url} or the stored upload), text-to-video otherwise.
     */
    GenerationSpec toSpec(String tenant, URI image) {
        GenerationSpec plain = new GenerationSpec(tenant, model, image == null ? TaskKind.T2V : TaskKind.I2V, prompt,
                negativePrompt, size, seconds, seed, image, audio, webhookUrl, routing, lora, media);
        if (media.isEmpty()) {
            return plain;
        }
        // With media, the mode decides: a first frame (and last frame) is image-to-video, the rest text-driven.
        VideoMode mode = plain.mode();
        URI firstFrame = media.stream().filter(m -> m.type() == MediaType.FIRST_FRAME).findFirst()
                .map(MediaInput::url).orElse(null);
        boolean framed = mode == VideoMode.IMAGE_TO_VIDEO || mode == VideoMode.FIRST_LAST_FRAME;
        return new GenerationSpec(tenant, model, framed ? TaskKind.I2V : TaskKind.T2V, prompt, negativePrompt, size,
                seconds, seed, framed ? firstFrame : null, audio, webhookUrl, routing, lora, media);
    }

    /** A request without media. */
    CreateVideoRequest(String prompt, String model, Integer seconds, VideoSize size, String negativePrompt, Long seed,
            URI imageUrl, ImageUpload upload, AudioSpec audio, URI webhookUrl, RoutingHints routing, String lora) {
        this(prompt, model, seconds, size, negativePrompt, seed, imageUrl, upload, audio, webhookUrl, routing, lora,
                List.of(), List.of());
    }

    CreateVideoRequest {
        media = media == null ? List.of() : List.copyOf(media);
        characters = characters == null ? List.of() : List.copyOf(characters);
    }

    /** This request with {@code more} media added after its own (the reference clips of its characters). */
    CreateVideoRequest withMedia(List<MediaInput> more) {
        List<MediaInput> all = new java.util.ArrayList<>(media);
        all.addAll(more);
        return new CreateVideoRequest(prompt, model, seconds, size, negativePrompt, seed, imageUrl, upload, audio,
                webhookUrl, routing, lora, all, characters);
    }

    /** An uploaded image: its checked content type and bytes. */
    record ImageUpload(String contentType, String extension, byte[] bytes) {}
}
