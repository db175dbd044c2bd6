package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.jobs.BudgetRejectedException;
import dev.wanhybrid.gateway.jobs.CreateRefusals;
import dev.wanhybrid.gateway.jobs.SubmitOverloadedException;
import dev.wanhybrid.gateway.jobs.GenerationService;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.net.InputUrlPolicy;
import dev.wanhybrid.gateway.preview.ResultPreviews;
import dev.wanhybrid.gateway.preview.VideoVariant;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.StoredObject;
import dev.wanhybrid.gateway.tenant.Tenant;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The OpenAI Videos-compatible API: create, retrieve, list, download, delete and cancel. Transport only: reading
 * a create request is {@link VideoRequestReader}'s job (and {@link CreateVideoRequestChecks}'), the uploaded image's
 * life is {@link InputUploads}', and serving content by byte range is {@link ByteRangeResponder}'s.
 */
@RestController
@RequestMapping("/v1/videos")
class VideosController {

    private static final Pattern JOB_ID = Pattern.compile("video_[0-9a-f]{32}");

    private final GenerationService service;
    private final ResultStore results;
    private final VideoRequestReader reader;
    private final CreateVideoRequestChecks checks;
    private final InputUploads uploads;
    private final ByteRangeResponder content;
    private final VideoObjectRenderer videos;
    private final CreateRefusals refusals;
    private final ResultPreviews previews;
    private final DerivedVideos derived;
    private final VideoCharacters characters;

    VideosController(GenerationService service, ResultStore results, ApiProperties properties,
            ObjectProvider<InputUrlPolicy> urlPolicy, VideoObjectRenderer videos,
            CreateRefusals refusals, ResultPreviews previews, SourceVideoLinks links,
            ObjectProvider<dev.wanhybrid.gateway.catalog.ModelCatalog> catalog, VideoCharacters characters) {
        this.characters = characters;
        this.refusals = refusals;
        this.previews = previews;
        this.service = service;
        this.results = results;
        this.reader = new VideoRequestReader(properties);
        this.checks = new CreateVideoRequestChecks(urlPolicy, catalog);
        this.uploads = new InputUploads(results, properties);
        this.content = new ByteRangeResponder(results);
        this.videos = videos;
        this.derived = new DerivedVideos(properties, uploads, previews, links, catalog);
    }

    @PostMapping
    VideoObject create(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, HttpServletRequest request)
            throws IOException {
        CreateVideoRequest parsed = reader.read(request);
        checks.check(parsed);
        parsed = derived.cast(parsed, (characterId, param) -> characters.visible(tenant.id(), characterId, param));
        String jobId = GenerationService.newJobId();
        URI image = uploads.store(jobId, parsed);
        return submit(tenant, new DerivedVideos.Derived(jobId, parsed.toSpec(tenant.id(), image), image));
    }

    /** A new video with the source's settings and a new prompt, routed on its own. */
    @PostMapping("/{id}/remix")
    VideoObject remix(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, @PathVariable String id,
            HttpServletRequest request) throws IOException {
        VideoRequestReader.DerivedBody body = reader.readDerived(request);
        return submit(tenant, derived.remix(visible(tenant, id), body));
    }

    /** A continuation of a video from its last frame, as image-to-video. */
    @PostMapping("/extensions")
    VideoObject extend(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, HttpServletRequest request)
            throws IOException {
        VideoRequestReader.DerivedBody body = reader.readDerived(request);
        return submit(tenant, derived.extension(videoId -> visible(tenant, videoId), body));
    }

    /** Video editing: the video sent by link to a model that edits, with the prompt as the instruction. */
    @PostMapping("/edits")
    VideoObject edit(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, HttpServletRequest request)
            throws IOException {
        VideoRequestReader.DerivedBody body = reader.readDerived(request);
        return submit(tenant, derived.edit(videoId -> visible(tenant, videoId), body));
    }

    /** A character: a named reference clip that later create requests cast ({@code characters}). */
    @PostMapping("/characters")
    CharacterObject createCharacter(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant,
            HttpServletRequest request) throws IOException {
        VideoRequestReader.CharacterUpload upload = reader.readCharacter(request);
        return CharacterObject.of(characters.create(tenant.id(), upload.name(), upload.video().getInputStream()));
    }

    /** The tenant's character; another tenant's is not found. */
    @GetMapping("/characters/{characterId}")
    CharacterObject character(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant,
            @PathVariable String characterId) {
        return CharacterObject.of(characters.visible(tenant.id(), characterId, "character_id"));
    }

    private VideoObject submit(Tenant tenant, DerivedVideos.Derived next) {
        URI image = next.image();
        try {
            return videos.toVideo(service.create(next.jobId(), next.spec()));
        } catch (NoRouteException e) {
            uploads.discard(image);
            throw refusals.of(e, tenant.id()).toApiException();
        } catch (BudgetRejectedException e) {
            uploads.discard(image);
            throw refusals.of(e, tenant.id()).toApiException();
        } catch (SubmitOverloadedException e) {
            uploads.discard(image);
            throw refusals.of(e).toApiException();
        } catch (RuntimeException e) {
            uploads.discard(image);
            throw e;
        }
    }

    @GetMapping("/{id}")
    VideoObject retrieve(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, @PathVariable String id) {
        return videos.toVideo(visible(tenant, id));
    }

    @GetMapping
    VideoList list(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant,
            @RequestParam(required = false) String after, @RequestParam(required = false) String limit,
            @RequestParam(required = false) String order) {
        int size = 20;
        if (limit != null) {
            if (!limit.matches("\\d{1,3}") || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > 100) {
                throw ApiException.invalid("limit", "invalid_value", "limit must be between 1 and 100.");
            }
            size = Integer.parseInt(limit);
        }
        boolean ascending = false;
        if (order != null) {
            if (!order.equals("asc") && !order.equals("desc")) {
                throw ApiException.invalid("order", "invalid_value", "order must be asc or desc.");
            }
            ascending = order.equals("asc");
        }
        if (after != null && !JOB_ID.matcher(after).matches()) {
            throw ApiException.invalid("after", "invalid_value", "after must be a video id from a previous page.");
        }
        GenerationService.Page page;
        try {
            page = service.list(tenant.id(), after, size, ascending);
        } catch (GenerationService.UnknownCursorException e) {
            throw ApiException.invalid("after", "invalid_value", e.getMessage());
        }
        List<VideoObject> data = page.jobs().stream()
                .map(videos::toVideo).toList();
        return new VideoList("list", data, data.isEmpty() ? null : data.getFirst().id(),
                data.isEmpty() ? null : data.getLast().id(), page.hasMore());
    }

    @DeleteMapping("/{id}")
    DeletedVideo delete(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, @PathVariable String id) {
        Job job = checkedId(id).flatMap(valid -> service.delete(tenant.id(), valid))
                .orElseThrow(() -> ApiException.videoNotFound(id));
        uploads.deleteWith(job);
        if (job.resultKey() != null) {
            previews.delete(job.resultKey());
        }
        return new DeletedVideo(job.id(), "video.deleted", true);
    }

    @PostMapping("/{id}/cancel")
    VideoObject cancel(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, @PathVariable String id) {
        Job job = checkedId(id).flatMap(valid -> service.cancel(tenant.id(), valid))
                .orElseThrow(() -> ApiException.videoNotFound(id));
        return videos.toVideo(job);
    }

    @GetMapping("/{id}/content")
    ResponseEntity<StreamingResponseBody> content(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant,
            @PathVariable String id, @RequestParam(required = false) String variant,
            @RequestHeader(value = HttpHeaders.RANGE, required = false) String range) throws IOException {
        VideoVariant wanted = variant == null ? VideoVariant.VIDEO : VideoVariant.of(variant).orElseThrow(
                () -> ApiException.invalid("variant", "invalid_value",
                        "variant must be video, thumbnail or spritesheet."));
        Job job = visible(tenant, id);
        if (job.resultKey() == null) {
            throw ApiException.invalid("id", "video_not_ready",
                    "Video " + job.id() + " is " + job.status().wire() + "; content is available once it is completed.");
        }
        Optional<StoredObject> found = previews.find(job.resultKey(), wanted);
        if (found.isEmpty()) {
            if (wanted == VideoVariant.VIDEO || results.stat(job.resultKey()).isEmpty()) {
                throw new ApiException(HttpStatus.NOT_FOUND, ApiError.INVALID_REQUEST, "id", "content_expired",
                        "The content of video " + job.id() + " is gone.");
            }
            throw new ApiException(HttpStatus.NOT_FOUND, ApiError.INVALID_REQUEST, "variant", "variant_not_available",
                    "The " + wanted.wire() + " of video " + job.id() + " could not be made from its video.");
        }
        String filename = job.id() + (wanted == VideoVariant.VIDEO ? "" : "." + wanted.wire()) + "."
                + wanted.extension();
        return content.respond(found.get(), range, MediaType.parseMediaType(wanted.contentType()),
                ContentDisposition.inline().filename(filename).build());
    }

    private Job visible(Tenant tenant, String id) {
        return checkedId(id).flatMap(valid -> service.find(tenant.id(), valid))
                .orElseThrow(() -> ApiException.videoNotFound(id));
    }

    private static Optional<String> checkedId(String id) {
        return JOB_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }

    /** The list envelope. */
    record VideoList(@com.fasterxml.jackson.annotation.JsonProperty("object") String object,
            @com.fasterxml.jackson.annotation.JsonProperty("data") List<VideoObject> data,
            @com.fasterxml.jackson.annotation.JsonProperty("first_id") String firstId,
            @com.fasterxml.jackson.annotation.JsonProperty("last_id") String lastId,
            @com.fasterxml.jackson.annotation.JsonProperty("has_more") boolean hasMore) {}

    /** OpenAI's character object. */
    record CharacterObject(@com.fasterxml.jackson.annotation.JsonProperty("id") String id,
            @com.fasterxml.jackson.annotation.JsonProperty("name") String name,
            @com.fasterxml.jackson.annotation.JsonProperty("created_at") long createdAt) {

        static CharacterObject of(VideoCharacters.VideoCharacter character) {
            return new CharacterObject(character.id(), character.name(), character.createdAt().getEpochSecond());
        }
    }

    /** The delete answer. */
    record DeletedVideo(@com.fasterxml.jackson.annotation.JsonProperty("id") String id,
            @com.fasterxml.jackson.annotation.JsonProperty("object") String object,
            @com.fasterxml.jackson.annotation.JsonProperty("deleted") boolean deleted) {}

}
