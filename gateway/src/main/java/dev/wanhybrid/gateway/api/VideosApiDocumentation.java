package dev.wanhybrid.gateway.api;

import static dev.wanhybrid.gateway.web.OpenApiSchemas.binary;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.bool;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.enumeration;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.integer;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.jsonResponse;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.nullable;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.object;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.ordered;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.ref;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.requestBody;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.sortResponses;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.string;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.typed;

import dev.wanhybrid.cloud.catalog.MediaType;
import dev.wanhybrid.cost.budget.WhenExhausted;
import dev.wanhybrid.gateway.preview.VideoVariant;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * Completes springdoc's document for {@code /v1}: the create, remix, extension, edit and character bodies (their
 * controllers read the raw request, so springdoc cannot see them), typed parameters, the binary and event-stream
 * answers, and every error status with the OpenAI error envelope. The create body's fields are checked against
 * {@link CreateVideoRequestParser}'s own list when the document is built, so the two cannot drift apart.
 */
@Component
class VideosApiDocumentation implements OpenApiCustomizer {

    static final String ERROR = "ErrorEnvelope";
    private static final String VIDEO_ID = "^video_[0-9a-f]{32}$";
    private static final String CHARACTER_ID = "^char_[0-9a-f]{32}$";
    private static final String JSON = "application/json";
    private static final String MULTIPART = "multipart/form-data";

    /** Names a generated client's methods take: springdoc would use the controller's (create, create_1, list1). */
    private static final Map<String, String> OPERATION_IDS = Map.ofEntries(
            Map.entry("POST /v1/videos", "createVideo"), Map.entry("GET /v1/videos", "listVideos"),
            Map.entry("GET /v1/videos/{id}", "retrieveVideo"), Map.entry("DELETE /v1/videos/{id}", "deleteVideo"),
            Map.entry("POST /v1/videos/{id}/cancel", "cancelVideo"),
            Map.entry("POST /v1/videos/{id}/remix", "remixVideo"),
            Map.entry("POST /v1/videos/extensions", "extendVideo"), Map.entry("POST /v1/videos/edits", "editVideo"),
            Map.entry("POST /v1/videos/characters", "createCharacter"),
            Map.entry("GET /v1/videos/characters/{characterId}", "retrieveCharacter"),
            Map.entry("GET /v1/videos/{id}/content", "downloadVideoContent"),
            Map.entry("GET /v1/videos/{id}/events", "streamVideoEvents"));

    @Override
    public void customise(OpenAPI openApi) {
        openApi.getComponents().addSchemas(ERROR, errorEnvelope());
        openApi.getComponents().addSchemas("CharacterReference", object(Map.of("id", string().pattern(CHARACTER_ID)
                .description("A character of this tenant.")), "id"));
        openApi.getComponents().addSchemas("CreateVideoRequest", createBody(false));
        openApi.getComponents().addSchemas("CreateVideoForm", createBody(true));
        openApi.getComponents().addSchemas("RemixVideoRequest", object(Map.of("prompt", prompt()), "prompt"));
        openApi.getComponents().addSchemas("VideoReference", object(Map.of("id", string().pattern(VIDEO_ID)
                .description("A completed video of this tenant.")), "id"));
        openApi.getComponents().addSchemas("ExtendVideoRequest", object(ordered("prompt", prompt(), "video",
                ref("VideoReference"), "seconds", seconds()), "prompt", "video"));
        openApi.getComponents().addSchemas("EditVideoRequest", object(ordered("prompt", prompt(), "video",
                ref("VideoReference")), "prompt", "video"));
        openApi.getComponents().addSchemas("EditVideoForm", object(ordered("prompt", prompt(), "video",
                binary("The video to edit.")), "prompt", "video"));
        openApi.getComponents().addSchemas("CreateCharacterForm", object(ordered("name", string().minLength(1)
                .maxLength(VideoRequestReader.CHARACTER_NAME_MAX).description("Display name for the character"),
                "video", binary("The character's reference clip: an MP4 or QuickTime video")), "name", "video"));
        Schema<?> budget = openApi.getComponents().getSchemas() == null ? null
                : openApi.getComponents().getSchemas().get("BudgetView");
        if (budget != null && budget.getProperties() != null) {
            budget.getProperties().put("when_exhausted", enumeration(Arrays.stream(WhenExhausted.values())
                    .map(WhenExhausted::id).toArray(String[]::new)).description("What a request the cap can no"
                            + " longer pay for gets: refused (reject), owned engines only (local_only), the smaller"
                            + " size the caller allowed (lower_tier), or accepted to wait for an owned engine, the"
                            + " next period or a raised cap (queue)"));
        }
        if (openApi.getPaths() == null) {
            return;
        }
        openApi.getPaths().forEach((path, item) -> {
            if (path.startsWith("/v1/")) {
                document(path, item);
            }
        });
    }

    private void document(String path, PathItem item) {
        item.readOperationsMap().forEach((method, operation) -> {
            boolean hasBody = method == PathItem.HttpMethod.POST || method == PathItem.HttpMethod.PUT;
            switch (path) {
                case "/v1/videos" -> {
                    if (method == PathItem.HttpMethod.POST) {
                        operation.requestBody(requestBody(Map.of(JSON, "CreateVideoRequest", MULTIPART, "CreateVideoForm")));
                        errors(operation, 400, 402, 404, 413, 415, 503);
                    } else {
                        errors(operation, 400);
                    }
                }
                case "/v1/videos/{id}/remix" -> {
                    operation.requestBody(requestBody(Map.of(JSON, "RemixVideoRequest", MULTIPART, "RemixVideoRequest")));
                    errors(operation, 400, 402, 404, 415, 503);
                }
                case "/v1/videos/extensions" -> {
                    operation.requestBody(requestBody(Map.of(JSON, "ExtendVideoRequest")));
                    errors(operation, 400, 402, 404, 415, 503);
                }
                case "/v1/videos/edits" -> {
                    operation.requestBody(requestBody(Map.of(JSON, "EditVideoRequest", MULTIPART, "EditVideoForm")));
                    operation.description("A video-editing job on the source video (sent to the provider by a link),"
                            + " with the prompt as the instruction; a 400 naming the capability (video_editing)"
                            + " when no model in the catalog edits.");
                    errors(operation, 400, 402, 404, 413, 415, 503);
                }
                case "/v1/videos/characters" -> {
                    operation.requestBody(requestBody(Map.of(MULTIPART, "CreateCharacterForm")));
                    operation.description("Stores a character: a named reference clip of this tenant, which a create"
                            + " request casts with characters: [{\"id\": ...}] (reference-to-video).");
                    errors(operation, 400, 413, 415);
                }
                case "/v1/videos/{id}/content" -> {
                    content(operation);
                    errors(operation, 400, 404, 416);
                }
                case "/v1/videos/{id}/events" -> {
                    operation.getResponses().get("200").setContent(new Content().addMediaType("text/event-stream",
                            new io.swagger.v3.oas.models.media.MediaType().schema(string().description(
                                    "Server-sent events: video.created, video.updated, video.completed, "
                                            + "video.failed, video.cancelled; each data is a video object."))));
                    errors(operation, 404);
                }
                case "/v1/budgets" -> errors(operation, hasBody ? new int[] {400, 403, 415} : new int[] {403});
                default -> errors(operation, path.contains("{") ? new int[] {404} : new int[] {400});
            }
            typeParameters(operation);
            errors(operation, 401, 429, 500);
            String name = OPERATION_IDS.get(method + " " + path);
            if (name != null) {
                operation.operationId(name).tags(List.of("Videos"));
            }
        });
    }

    /** The statuses this operation can answer with, each in the OpenAI error envelope. */
    private static void errors(Operation operation, int... statuses) {
        if (operation.getResponses() == null) {
            operation.responses(new ApiResponses());
        }
        for (int status : statuses) {
            operation.getResponses().putIfAbsent(String.valueOf(status), jsonResponse(reason(status), ERROR));
        }
        sortResponses(operation);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Invalid request: error.param names the field at fault";
            case 401 -> "Missing or unknown API key";
            case 402 -> "The tenant's budget is exhausted (insufficient_quota)";
            case 403 -> "The key may not use this endpoint";
            case 404 -> "No such video, character (or model) for this tenant";
            case 413 -> "An uploaded file is too large";
            case 415 -> "Send application/json or multipart/form-data";
            case 416 -> "The Range cannot be satisfied; Content-Range says the size";
            case 429 -> "Over the tenant's request rate; Retry-After says when to retry";
            case 500 -> "The gateway failed";
            case 503 -> "No backend can take the job now; Retry-After says when to retry";
            default -> "Error";
        };
    }

    private static void content(Operation operation) {
        Content media = new Content();
        for (VideoVariant variant : VideoVariant.values()) {
            media.addMediaType(variant.contentType(),
                    new io.swagger.v3.oas.models.media.MediaType().schema(binary(null)));
        }
        operation.getResponses().put("200", new ApiResponse().description(
                "The video (video/mp4), or its thumbnail (image/webp) or spritesheet (image/jpeg)").content(media));
        operation.getResponses().put("206", new ApiResponse().description("The requested byte range")
                .content(media).addHeaderObject("Content-Range", new Header().schema(string())));
        operation.getResponses().put("416", jsonResponse(reason(416), ERROR)
                .addHeaderObject("Content-Range", new Header().schema(string()).description("bytes */N")));
    }

    private static void typeParameters(Operation operation) {
        if (operation.getParameters() == null) {
            return;
        }
        for (Parameter parameter : operation.getParameters()) {
            switch (parameter.getName()) {
                case "id" -> parameter.schema(string().pattern(VIDEO_ID)).description("A video id");
                case "characterId" -> parameter.schema(string().pattern(CHARACTER_ID)).description("A character id");
                case "limit" -> parameter.schema(integer().minimum(java.math.BigDecimal.ONE)
                        .maximum(java.math.BigDecimal.valueOf(100))._default(20));
                case "order" -> parameter.schema(enumeration("asc", "desc")._default("desc"));
                case "after" -> parameter.schema(string().pattern(VIDEO_ID))
                        .description("The last id of the previous page");
                case "variant" -> parameter.schema(enumeration(Arrays.stream(VideoVariant.values())
                        .map(VideoVariant::wire).toArray(String[]::new))._default("video"));
                case "Range" -> parameter.schema(string().pattern("^bytes=.*")).description("bytes=start-end");
                case "Last-Event-ID" -> parameter.description("Resume after this event id");
                default -> { }
            }
        }
    }

    private static Schema<Object> createBody(boolean form) {
        Map<String, Schema<?>> properties = new LinkedHashMap<>();
        properties.put("prompt", prompt());
        properties.put("model", string().maxLength(64).description("A model id; omitted: the router picks one"));
        properties.put("seconds", seconds());
        properties.put("size", string().pattern("^\\d{1,5}[x*]\\d{1,5}$").description("width x height, 1280x720"));
        properties.put("input_reference", form ? binary("The first frame: a PNG, JPEG or WebP image")
                : object(Map.of("image_url", string().format("uri")), "image_url")
                        .description("The first frame by URL"));
        properties.put("negative_prompt", string());
        properties.put("seed", integer().minimum(java.math.BigDecimal.ZERO));
        properties.put("audio", form ? string().description("true, false, or a JSON object {\"url\": ...}")
                : new Schema<>().oneOf(List.of(bool(), object(Map.of("url", string().format("uri")), "url")))
                        .description("Generated audio (true), none (false) or an audio track by URL"));
        properties.put("webhook_url", string().format("uri"));
        properties.put("routing", form ? string().description("The routing object as JSON") : routing());
        properties.put("lora", string().maxLength(128));
        properties.put("media", form ? string().description("The media list as JSON") : media());
        properties.put("characters", form ? string().description("The characters list as JSON")
                : typed("array").items(ref("CharacterReference")).maxItems(CreateVideoRequestParser.MAX_CHARACTERS)
                        .description("Characters to cast: each one's clip becomes a reference video"));
        if (!properties.keySet().equals(CreateVideoRequestParser.TOP_LEVEL)) {
            throw new IllegalStateException("The documented create fields " + properties.keySet()
                    + " are not the fields the parser reads " + CreateVideoRequestParser.TOP_LEVEL);
        }
        return object(properties, "prompt");
    }

    private static Schema<Object> routing() {
        Map<String, Schema<?>> properties = ordered(
                "backend", string().pattern("^[a-z][a-z0-9-]{0,15}$").description("'auto' (default), 'local',"
                        + " 'cloud', or the name of a configured remote engine (gateway.remote-engines[].name)"),
                "objective", enumeration("cost", "latency"),
                "max_cost_usd", typed("number").minimum(java.math.BigDecimal.ZERO),
                "deadline_seconds", integer().minimum(java.math.BigDecimal.ONE)
                        .maximum(java.math.BigDecimal.valueOf(86_400)),
                "local_only", bool(),
                "lower_tier_size", string().pattern("^\\d{1,5}[x*]\\d{1,5}$").description("A smaller size "
                        + "the request may run at when the budget that pays for it is spent and its policy is "
                        + "lower_tier; the route then says so"));
        if (!properties.keySet().equals(CreateVideoRequestParser.ROUTING)) {
            throw new IllegalStateException("The documented routing fields " + properties.keySet()
                    + " are not the fields the parser reads " + CreateVideoRequestParser.ROUTING);
        }
        return object(properties).description("Routing hints; the answer's route object explains the decision");
    }

    private static Schema<Object> media() {
        Schema<Object> item = object(ordered("type", enumeration(Arrays.stream(MediaType.values()).map(MediaType::wire).toArray(String[]::new)),
                "url", string().format("uri")), "type", "url");
        return typed("array").items(item).maxItems(8);
    }

    private static Schema<Object> errorEnvelope() {
        Schema<Object> body = object(ordered("message", string(), "type", string(),
                "param", nullable(string()).description("The field at fault, when one is"),
                "code", nullable(string())), "message", "type", "param", "code");
        return object(Map.of("error", body), "error").description("The OpenAI error envelope");
    }

    private static Schema<?> prompt() {
        return string().minLength(1).description("What the video shows");
    }

    private static Schema<?> seconds() {
        return string().pattern("^\\d+$").description("Clip length in seconds, as a string (a number is accepted)");
    }

}
