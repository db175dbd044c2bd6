package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.api.CreateVideoRequest.ImageUpload;
import dev.wanhybrid.gateway.backend.LocalCapacity;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.jobs.BudgetRejectedException;
import dev.wanhybrid.gateway.jobs.GenerationService;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.net.InputUrlPolicy;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.StoredObject;
import dev.wanhybrid.gateway.tenant.Tenant;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
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
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The OpenAI Videos-compatible API: create, retrieve, list, download, delete and cancel. */
@RestController
@RequestMapping("/v1/videos")
class VideosController {

    private static final Logger log = LoggerFactory.getLogger(VideosController.class);
    private static final Pattern JOB_ID = Pattern.compile("video_[0-9a-f]{32}");
    private static final Pattern BRACKET = Pattern.compile("([a-z_]+)\\[([a-z_]+)]");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final GenerationService service;
    private final ResultStore results;
    private final ApiProperties properties;
    private final CreateVideoRequestParser parser;
    private final ObjectProvider<InputUrlPolicy> urlPolicy;
    private final VideoObjectRenderer videos;
    private final ObjectProvider<LocalCapacity> local;

    VideosController(GenerationService service, ResultStore results, ApiProperties properties,
            ObjectProvider<InputUrlPolicy> urlPolicy, VideoObjectRenderer videos, ObjectProvider<LocalCapacity> local) {
        this.videos = videos;
        this.local = local;
        this.service = service;
        this.results = results;
        this.properties = properties;
        this.parser = new CreateVideoRequestParser(properties);
        this.urlPolicy = urlPolicy;
    }

    @PostMapping
    VideoObject create(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, HttpServletRequest request)
            throws IOException {
        CreateVideoRequest parsed;
        if (request instanceof MultipartHttpServletRequest multipart) {
            parsed = parseMultipart(multipart);
        } else if (isJson(request.getContentType())) {
            parsed = parser.parse(readJson(request), false, null);
        } else {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ApiError.INVALID_REQUEST, null,
                    "unsupported_media_type", "Send the request as application/json or multipart/form-data.");
        }
        checkUrl("input_reference.image_url", parsed.imageUrl());
        if (parsed.audio() instanceof AudioSpec.FromUrl(URI url)) {
            checkUrl("audio.url", url);
        }
        checkUrl("webhook_url", parsed.webhookUrl());
        checkLora(parsed.lora());

        String jobId = GenerationService.newJobId();
        URI image = parsed.imageUrl();
        String uploadKey = null;
        if (parsed.upload() != null) {
            uploadKey = "uploads/" + jobId + "/input." + parsed.upload().extension();
            results.put(uploadKey, new ByteArrayInputStream(parsed.upload().bytes()), properties.maxImageSize().toBytes());
            image = URI.create("upload:" + uploadKey);
        }
        GenerationSpec spec = new GenerationSpec(tenant.id(), parsed.model(), image == null ? TaskKind.T2V : TaskKind.I2V,
                parsed.prompt(), parsed.negativePrompt(), parsed.size(), parsed.seconds(), parsed.seed(), image,
                parsed.audio(), parsed.webhookUrl(), parsed.routing(), parsed.lora());
        try {
            return videos.toVideo(service.create(jobId, spec));
        } catch (NoRouteException e) {
            deleteQuietly(uploadKey);
            throw noRoute(e);
        } catch (BudgetRejectedException e) {
            deleteQuietly(uploadKey);
            throw new ApiException(HttpStatus.PAYMENT_REQUIRED, ApiError.INSUFFICIENT_QUOTA, null, "budget_exceeded",
                    "The budget cap " + e.cap().cap() + " would be exceeded (remaining " + e.cap().remainingUsd()
                            + " USD): " + e.cap().getMessage());
        } catch (RuntimeException e) {
            deleteQuietly(uploadKey);
            throw e;
        }
    }

    /** A LoRA must be one the local backend serves (its registry, {@code gateway.local.loras}). */
    private void checkLora(String lora) {
        if (lora == null) {
            return;
        }
        LocalCapacity capacity = local.getIfAvailable();
        java.util.Set<String> known = capacity == null ? java.util.Set.of() : capacity.servedLoras();
        if (!known.contains(lora)) {
            throw ApiException.invalid("lora", "unknown_lora", "Unknown LoRA '" + ApiError.printable(lora) + "'. "
                    + (known.isEmpty() ? "This gateway has no LoRAs configured."
                            : "Configured LoRAs: " + String.join(", ", new java.util.TreeSet<>(known)) + "."));
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
        deleteQuietly(job.resultKey());
        if (job.spec().inputImage() != null && "upload".equals(job.spec().inputImage().getScheme())) {
            deleteQuietly(job.spec().inputImage().getSchemeSpecificPart());
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
        if (variant != null && !variant.equals("video")) {
            if (variant.equals("thumbnail") || variant.equals("spritesheet")) {
                throw new ApiException(HttpStatus.NOT_FOUND, ApiError.INVALID_REQUEST, "variant",
                        "variant_not_available", "This gateway produces only the video variant.");
            }
            throw ApiException.invalid("variant", "invalid_value", "variant must be video, thumbnail or spritesheet.");
        }
        Job job = visible(tenant, id);
        if (job.resultKey() == null) {
            throw ApiException.invalid("id", "video_not_ready",
                    "Video " + job.id() + " is " + job.status().wire() + "; content is available once it is completed.");
        }
        StoredObject object = results.stat(job.resultKey()).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND,
                ApiError.INVALID_REQUEST, "id", "content_expired", "The content of video " + job.id() + " is gone."));
        long total = object.size();
        long start = 0;
        long length = total;
        HttpStatus status = HttpStatus.OK;
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        headers.setETag("\"" + object.sha256() + "\"");
        if (range != null) {
            List<HttpRange> ranges;
            try {
                ranges = HttpRange.parseRanges(range);
            } catch (IllegalArgumentException e) {
                ranges = List.of();
            }
            if (ranges.size() != 1) {
                throw rangeNotSatisfiable(total);
            }
            HttpRange only = ranges.getFirst();
            try {
                start = only.getRangeStart(total);
                long end = only.getRangeEnd(total);
                if (start >= total || end < start) {
                    throw rangeNotSatisfiable(total);
                }
                length = end - start + 1;
            } catch (IllegalArgumentException e) {
                throw rangeNotSatisfiable(total);
            }
            status = HttpStatus.PARTIAL_CONTENT;
            headers.set(HttpHeaders.CONTENT_RANGE, "bytes " + start + "-" + (start + length - 1) + "/" + total);
        }
        headers.setContentLength(length);
        headers.setContentType(MediaType.parseMediaType("video/mp4"));
        headers.setContentDisposition(org.springframework.http.ContentDisposition.inline()
                .filename(job.id() + ".mp4").build());
        long from = start;
        long count = length;
        String key = job.resultKey();
        StreamingResponseBody body = (OutputStream out) -> {
            try (InputStream in = results.open(key, from, count)) {
                in.transferTo(out);
            }
        };
        return new ResponseEntity<>(body, headers, status);
    }

    private static ApiException rangeNotSatisfiable(long total) {
        return new ApiException(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, ApiError.INVALID_REQUEST, "Range",
                "range_not_satisfiable", "The Range header must name one range inside the " + total + " bytes.");
    }

    private Job visible(Tenant tenant, String id) {
        return checkedId(id).flatMap(valid -> service.find(tenant.id(), valid))
                .orElseThrow(() -> ApiException.videoNotFound(id));
    }

    private static Optional<String> checkedId(String id) {
        return JOB_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }

    private void checkUrl(String param, URI url) {
        if (url == null) {
            return;
        }
        InputUrlPolicy policy = urlPolicy.getIfAvailable();
        String rejection = policy == null ? null : policy.rejection(param, url);
        if (rejection != null) {
            throw ApiException.invalid(param, "url_not_allowed", rejection);
        }
    }

    private JsonNode readJson(HttpServletRequest request) throws IOException {
        long max = properties.maxBodySize().toBytes();
        if (request.getContentLengthLong() > max) {
            throw tooLarge(max);
        }
        byte[] body = request.getInputStream().readNBytes((int) max + 1);
        if (body.length > max) {
            throw tooLarge(max);
        }
        if (body.length == 0) {
            throw ApiException.invalid(null, "invalid_json", "The request body is empty; send a JSON object.");
        }
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.invalid(null, "invalid_json",
                    "We could not parse the JSON body of your request: " + shortReason(e));
        }
    }

    private static String shortReason(JacksonException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return "malformed JSON.";
        }
        return ApiError.printable(message.lines().findFirst().orElse("malformed JSON."));
    }

    private static ApiException tooLarge(long max) {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiError.INVALID_REQUEST, null, "request_too_large",
                "The request body is larger than " + max + " bytes.");
    }

    private CreateVideoRequest parseMultipart(MultipartHttpServletRequest request) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        for (Map.Entry<String, String[]> entry : request.getParameterMap().entrySet()) {
            String name = entry.getKey();
            String[] values = entry.getValue();
            if (values.length != 1) {
                throw ApiException.invalid(name, "duplicate_parameter", name + " was sent more than once.");
            }
            String value = values[0];
            var bracket = BRACKET.matcher(name);
            if (bracket.matches()) {
                JsonNode parent = body.get(bracket.group(1));
                ObjectNode object = parent instanceof ObjectNode o ? o : body.putObject(bracket.group(1));
                object.put(bracket.group(2), value);
            } else if ((name.equals("routing") || name.equals("audio") || name.equals("input_reference"))
                    && value.trim().startsWith("{")) {
                try {
                    body.set(name, JSON.readTree(value));
                } catch (JacksonException e) {
                    throw ApiException.invalid(name, "invalid_json", name + " is not a valid JSON object.");
                }
            } else {
                body.put(name, value);
            }
        }
        ImageUpload upload = null;
        Map<String, List<MultipartFile>> files = request.getMultiFileMap();
        for (Map.Entry<String, List<MultipartFile>> entry : files.entrySet()) {
            if (!entry.getKey().equals("input_reference")) {
                throw ApiException.invalid(entry.getKey(), "unknown_parameter",
                        "Unexpected file part: " + ApiError.printable(entry.getKey()) + ".");
            }
            if (entry.getValue().size() != 1) {
                throw ApiException.invalid("input_reference", "duplicate_parameter", "Send one input_reference image.");
            }
            upload = image(entry.getValue().getFirst());
        }
        return parser.parse(body, true, upload);
    }

    private ImageUpload image(MultipartFile file) throws IOException {
        long max = properties.maxImageSize().toBytes();
        if (file.getSize() > max) {
            throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiError.INVALID_REQUEST, "input_reference",
                    "image_too_large", "input_reference is larger than " + max + " bytes.");
        }
        if (file.isEmpty()) {
            throw ApiException.invalid("input_reference", "empty_file", "input_reference is empty.");
        }
        byte[] bytes = file.getBytes();
        String sniffed = sniff(bytes);
        String declared = file.getContentType() == null ? "" : file.getContentType().toLowerCase(Locale.ROOT);
        if (sniffed == null || !properties.imageContentTypes().contains(sniffed)) {
            throw ApiException.invalid("input_reference", "invalid_image_format",
                    "input_reference must be one of " + properties.imageContentTypes() + ".");
        }
        if (!declared.isEmpty() && !declared.equals("application/octet-stream") && !declared.equals(sniffed)) {
            throw ApiException.invalid("input_reference", "invalid_image_format",
                    "input_reference is declared as " + ApiError.printable(declared) + " but is " + sniffed + ".");
        }
        String extension = switch (sniffed) {
            case "image/png" -> "png";
            case "image/jpeg" -> "jpg";
            default -> "webp";
        };
        return new ImageUpload(sniffed, extension, bytes);
    }

    /** The image type from its leading bytes, whatever the client declared. */
    static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "image/jpeg";
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return "image/webp";
        }
        return null;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isCompatibleWith(MediaType.APPLICATION_JSON) || type.getSubtype().endsWith("+json");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ApiException noRoute(NoRouteException e) {
        int status = e.httpStatus();
        String type = status == 402 ? ApiError.INSUFFICIENT_QUOTA
                : status >= 500 ? ApiError.SERVICE_UNAVAILABLE : ApiError.INVALID_REQUEST;
        String reasons = e.rejected().isEmpty() ? "" : " Rejected: " + e.rejected().stream()
                .map(VideosController::describe).collect(Collectors.joining("; ")) + ".";
        HttpStatus http = HttpStatus.resolve(status) == null ? HttpStatus.BAD_REQUEST : HttpStatus.valueOf(status);
        return new ApiException(http, type, e.param(), e.code(), e.getMessage() + reasons,
                status == 503 ? 30L : null);
    }

    private static String describe(RejectedCandidate r) {
        return r.backend() + "/" + r.model() + " (" + r.reason() + (r.detail() == null ? "" : ": " + r.detail()) + ")";
    }

    private void deleteQuietly(String key) {
        if (key == null) {
            return;
        }
        try {
            results.delete(key);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete stored object {}: {}", key, e.toString());
        }
    }

    /** The list envelope. */
    record VideoList(@com.fasterxml.jackson.annotation.JsonProperty("object") String object,
            @com.fasterxml.jackson.annotation.JsonProperty("data") List<VideoObject> data,
            @com.fasterxml.jackson.annotation.JsonProperty("first_id") String firstId,
            @com.fasterxml.jackson.annotation.JsonProperty("last_id") String lastId,
            @com.fasterxml.jackson.annotation.JsonProperty("has_more") boolean hasMore) {}

    /** The delete answer. */
    record DeletedVideo(@com.fasterxml.jackson.annotation.JsonProperty("id") String id,
            @com.fasterxml.jackson.annotation.JsonProperty("object") String object,
            @com.fasterxml.jackson.annotation.JsonProperty("deleted") boolean deleted) {}

}
