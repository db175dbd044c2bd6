package dev.wanhybrid.gateway.api;

import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.MediaType;
import dev.wanhybrid.cloud.catalog.VideoMode;
import dev.wanhybrid.gateway.api.VideoCharacters.VideoCharacter;
import dev.wanhybrid.gateway.api.VideoRequestReader.DerivedBody;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.MediaInput;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoOrigin;
import dev.wanhybrid.gateway.jobs.GenerationService;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobStatus;
import dev.wanhybrid.gateway.preview.ResultPreviews;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.ArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.springframework.beans.factory.ObjectProvider;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI's operations on an existing video, mapped onto what Wan models do: a remix is a new job with the source's
 * settings and a new prompt; an extension continues the source from its last frame as image-to-video (no model in
 * the catalog extends a video natively); an edit is a video-editing request whose {@code video} media item is a
 * link the provider can fetch the source from, on a model that edits; a create request that casts characters
 * sends each character's clip as a reference video to a model that does reference-to-video.
 */
final class DerivedVideos {

    /** What an edit needs and no routed model offers. */
    static final String VIDEO_EDITING = "video_editing";

    /** What casting a character (its reference clip) needs. */
    static final String REFERENCE_TO_VIDEO = "reference_to_video";

    private final CreateVideoRequestParser parser;
    private final ApiProperties limits;
    private final InputUploads uploads;
    private final ResultPreviews previews;
    private final SourceVideoLinks links;
    private final ObjectProvider<ModelCatalog> catalog;

    DerivedVideos(ApiProperties limits, InputUploads uploads, ResultPreviews previews, SourceVideoLinks links,
            ObjectProvider<ModelCatalog> catalog) {
        this.parser = new CreateVideoRequestParser(limits);
        this.limits = limits;
        this.uploads = uploads;
        this.previews = previews;
        this.links = links;
        this.catalog = catalog;
    }

    /** A new job about to be created: its id, request and stored input image (to discard if it is not created). */
    record Derived(String jobId, GenerationSpec spec, URI image) {}

    /** {@code POST /v1/videos/{id}/remix}: the source's settings and input image with a new prompt. */
    Derived remix(Job source, DerivedBody body) throws IOException {
        allowOnly(body, Set.of("prompt"), Set.of());
        String prompt = parser.requiredText(body.fields(), "prompt", limits.maxPromptChars());
        requireCompleted(source, "id");
        String jobId = GenerationService.newJobId();
        URI image = uploads.copyFor(jobId, source.spec().inputImage());
        GenerationSpec spec = source.spec().derive(new VideoOrigin(VideoOrigin.Relation.REMIX, source.id()), prompt,
                image, source.spec().seconds());
        return new Derived(jobId, spec, image);
    }

    /**
     * {@code POST /v1/videos/extensions}: the source's last frame as the first frame of an image-to-video job with
     * the new prompt, the source's size and settings, and {@code seconds} (the source's length when absent). The
     * model is chosen anew ({@code auto}): the source's may be text-to-video only.
     *
     * @param visible the caller's video by id, or a 404
     */
    Derived extension(Function<String, Job> visible, DerivedBody body) throws IOException {
        allowOnly(body, Set.of("prompt", "video", "seconds"), Set.of("video"));
        if (body.files().contains("video")) {
            throw ApiException.invalid("video", "unsupported_value", "This gateway extends the videos it made: pass"
                    + " video as {\"id\": \"video_...\"} instead of uploading one.");
        }
        String prompt = parser.requiredText(body.fields(), "prompt", limits.maxPromptChars());
        Job source = visible.apply(videoId(body));
        Integer seconds = body.fields().has("seconds") ? parser.seconds(body.fields()) : null;
        requireCompleted(source, "video");
        String jobId = GenerationService.newJobId();
        URI frame = uploads.storeFrame(jobId, previews.lastFrame(source.resultKey()));
        GenerationSpec base = source.spec();
        GenerationSpec auto = new GenerationSpec(base.tenant(), GenerationSpec.AUTO_MODEL, base.kind(), base.prompt(),
                base.negativePrompt(), base.size(), base.seconds(), base.seed(), base.inputImage(), base.audio(),
                base.webhookUrl(), base.routing(), base.lora());
        GenerationSpec spec = auto.derive(new VideoOrigin(VideoOrigin.Relation.EXTENSION, source.id()), prompt, frame,
                seconds == null ? base.seconds() : seconds);
        return new Derived(jobId, spec, frame);
    }

    /**
     * {@code POST /v1/videos/edits}: the caller's finished video, reachable by the provider through a
     * {@link SourceVideoLinks} link, as the {@code video} media item of a video-editing request with the prompt as
     * the instruction and the source's length; its sound and routing hints are kept, and a model that edits is
     * chosen anew ({@code auto}). The size is left to that model (an edit keeps the input's aspect at the model's
     * resolution; the editing models do not offer every size a source may have). Refused with {@code capability_unavailable} when no model in the catalog edits video.
     *
     * @param visible the caller's video by id, or a 404
     */
    Derived edit(Function<String, Job> visible, DerivedBody body) {
        allowOnly(body, Set.of("prompt", "video"), Set.of("video"));
        String prompt = parser.requiredText(body.fields(), "prompt", limits.maxPromptChars());
        if (!body.files().contains("video")) {
            visible.apply(videoId(body));
        }
        if (!anyModelDoes(VideoMode.VIDEO_EDIT)) {
            throw unavailable("video", VIDEO_EDITING, "Editing a video needs a model that edits video"
                    + " (video-to-video), and no model in this gateway's catalog does.");
        }
        if (body.files().contains("video")) {
            throw ApiException.invalid("video", "unsupported_value", "This gateway edits the videos it made: pass"
                    + " video as {\"id\": \"video_...\"} instead of uploading one.");
        }
        Job source = visible.apply(videoId(body));
        requireCompleted(source, "video");
        URI link = links.linkTo(source.resultKey(), "video");
        GenerationSpec base = source.spec();
        GenerationSpec spec = new GenerationSpec(base.tenant(), GenerationSpec.AUTO_MODEL, TaskKind.T2V, prompt,
                null, null, base.seconds(), base.seed(), null, base.audio(), base.webhookUrl(), base.routing(),
                null, new VideoOrigin(VideoOrigin.Relation.EDIT, source.id()),
                List.of(new MediaInput(MediaType.VIDEO, link)));
        return new Derived(GenerationService.newJobId(), spec, null);
    }

    private boolean anyModelDoes(VideoMode mode) {
        ModelCatalog models = catalog.getIfAvailable();
        return models != null && models.models().stream().anyMatch(m -> models.supportsMode(m.id(), mode));
    }

    /**
     * A create request's characters cast through reference-to-video: each character's clip, reachable by the
     * provider through a {@link SourceVideoLinks} link, becomes a {@code reference_video} media item after the
     * request's own media, in the order the request lists them (the model refers to them in that order). Refused
     * with {@code capability_unavailable} naming {@code reference_to_video} when no model in the catalog does it,
     * and with a 400 on {@code media} when the request's own media ask for another mode.
     *
     * @param visible the caller's character by id and the field that named it, or a 404 naming that field
     */
    CreateVideoRequest cast(CreateVideoRequest request, BiFunction<String, String, VideoCharacter> visible) {
        if (request.characters().isEmpty()) {
            return request;
        }
        List<VideoCharacter> cast = new ArrayList<>();
        for (int i = 0; i < request.characters().size(); i++) {
            cast.add(visible.apply(request.characters().get(i), "characters[" + i + "].id"));
        }
        if (!anyModelDoes(VideoMode.REFERENCE_TO_VIDEO)) {
            throw unavailable("characters", REFERENCE_TO_VIDEO, "Casting a character needs a model that takes a"
                    + " reference clip (reference-to-video), and no model in this gateway's catalog does.");
        }
        List<MediaInput> clips = new ArrayList<>();
        for (int i = 0; i < cast.size(); i++) {
            VideoCharacter character = cast.get(i);
            clips.add(new MediaInput(MediaType.REFERENCE_VIDEO,
                    links.linkTo(character.clipKey(), "characters[" + i + "].id"), character.id()));
        }
        CreateVideoRequest withClips = request.withMedia(clips);
        VideoMode mode = dev.wanhybrid.cloud.catalog.ModelCatalog.modeOf(withClips.media().stream()
                .map(m -> VideoRequest.Media.of(m.type(), m.url().toString())).toList()).orElse(null);
        if (mode != VideoMode.REFERENCE_TO_VIDEO) {
            throw ApiException.invalid("media", "routing_conflict", "Characters are cast through"
                    + " reference-to-video, which takes reference images and videos and at most one first_frame;"
                    + " these media cannot be combined with it.");
        }
        return withClips;
    }

    private static ApiException unavailable(String param, String capability, String message) {
        return ApiException.invalid(param, "capability_unavailable", message + " Capability: " + capability + ".");
    }

    private static String videoId(DerivedBody body) {
        JsonNode video = body.fields().get("video");
        if (video == null || video.isNull()) {
            throw ApiException.invalid("video", "missing_required_parameter",
                    "Missing required parameter: 'video' ({\"id\": \"video_...\"}).");
        }
        JsonNode id = video.isObject() ? video.get("id") : video;
        if (id == null || !id.isString() || id.stringValue().isBlank()) {
            throw ApiException.invalid("video", "invalid_type", "video must be an object {\"id\": \"video_...\"}.");
        }
        return id.stringValue();
    }

    private static void requireCompleted(Job source, String param) {
        if (source.status() != JobStatus.COMPLETED || source.resultKey() == null) {
            throw ApiException.invalid(param, "video_not_ready", "Video " + source.id() + " is "
                    + source.status().wire() + "; only a completed video can be used here.");
        }
    }

    private static void allowOnly(DerivedBody body, Set<String> fields, Set<String> files) {
        body.fields().propertyNames().forEach(name -> {
            if (!fields.contains(name)) {
                throw ApiException.invalid(name, "unknown_parameter",
                        "Unrecognized request argument supplied: " + ApiError.printable(name) + ".");
            }
        });
        for (String name : body.files()) {
            if (!files.contains(name)) {
                throw ApiException.invalid(name, "unknown_parameter",
                        "Unexpected file part: " + ApiError.printable(name) + ".");
            }
        }
    }
}
