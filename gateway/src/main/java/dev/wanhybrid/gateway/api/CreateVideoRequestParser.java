package dev.wanhybrid.gateway.api;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.MediaType;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.gateway.api.CreateVideoRequest.ImageUpload;
import dev.wanhybrid.gateway.generation.MediaInput;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.VideoSize;
import dev.wanhybrid.gateway.net.InputUrlPolicy;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Turns a create body (a JSON object, or multipart text fields folded into one) into a {@link CreateVideoRequest},
 * rejecting anything wrong with a 400 that names the field.
 *
 * <p>Hand-written rather than bound to a record with bean validation because several fields have two shapes
 * ({@code audio}: boolean or object; {@code input_reference}: object or string; {@code seconds}: string or
 * number) and because multipart carries every scalar as text; the error must still name the exact field.
 */
final class CreateVideoRequestParser {

    /** Wan's native clip (81 frames at 16 fps) is about five seconds; the OpenAI default of 4 is not a Wan length. */
    static final int DEFAULT_SECONDS = 5;

    static final Set<String> TOP_LEVEL = Set.of("prompt", "model", "seconds", "size", "input_reference",
            "negative_prompt", "seed", "audio", "webhook_url", "routing", "lora", "media", "characters");
    /** The most {@code media} items one request may carry (the new protocol's largest: five references + a frame). */
    private static final int MAX_MEDIA = 8;
    /** The most characters one request may cast: DashScope's reference-to-video takes at most three videos. */
    static final int MAX_CHARACTERS = 3;
    static final Set<String> ROUTING = Set.of("backend", "objective", "max_cost_usd", "deadline_seconds",
            "local_only", "lower_tier_size");
    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final Pattern SIZE = Pattern.compile("\\d{1,5}[x*]\\d{1,5}");
    /** {@code seconds} written as a string ("5"), as OpenAI's API takes it. */
    private static final Pattern SECONDS = Pattern.compile("\\d{1,6}");
    private static final BigDecimal MAX_COST = new BigDecimal("10000");
    private static final long MAX_SEED = 4_294_967_295L;
    private static final int MIN_SIDE = 64;
    private static final int MAX_SIDE = 4096;

    private final ApiProperties limits;

    CreateVideoRequestParser(ApiProperties limits) {
        this.limits = limits;
    }

    /**
     * @param body the request as a JSON object
     * @param textScalars true for multipart, where numbers and booleans arrive as text
     * @param upload an uploaded {@code input_reference} file, already checked, or {@code null}
     */
    CreateVideoRequest parse(JsonNode body, boolean textScalars, ImageUpload upload) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, "invalid_body", "The request body must be a JSON object.");
        }
        for (String name : body.propertyNames()) {
            if (!TOP_LEVEL.contains(name)) {
                throw ApiException.invalid(name, "unknown_parameter",
                        "Unrecognized request argument supplied: " + ApiError.printable(name) + ".");
            }
        }
        String prompt = requiredText(body, "prompt", limits.maxPromptChars());
        String model = optionalText(body, "model", 64);
        if (model != null && !MODEL_ID.matcher(model).matches()) {
            throw ApiException.invalid("model", "invalid_model",
                    "model must be a catalog model id such as wan2.1-t2v-1.3b, or auto.");
        }
        Integer seconds = seconds(body);
        VideoSize size = size(body.get("size"), "size");
        String negativePrompt = optionalText(body, "negative_prompt", limits.maxNegativePromptChars());
        Long seed = integer(body, "seed", "seed", textScalars, 0, MAX_SEED);
        URI imageUrl = inputReference(body, upload);
        AudioSpec audio = audio(body, textScalars);
        URI webhookUrl = body.has("webhook_url") && !body.get("webhook_url").isNull()
                ? url(body.get("webhook_url"), "webhook_url") : null;
        RoutingHints routing = routing(body.get("routing"), textScalars);
        if (routing.lowerTierSize() != null && size != null
                && (long) routing.lowerTierSize().width() * routing.lowerTierSize().height()
                        >= (long) size.width() * size.height()) {
            throw ApiException.invalid("routing.lower_tier_size", "invalid_value", "routing.lower_tier_size "
                    + routing.lowerTierSize() + " must have fewer pixels than size " + size + ".");
        }
        String lora = optionalText(body, "lora", 128);
        List<MediaInput> media = media(body.get("media"), textScalars);
        List<String> characters = characters(body.get("characters"), textScalars);
        if ((!media.isEmpty() || !characters.isEmpty()) && (imageUrl != null || upload != null)) {
            throw ApiException.invalid("input_reference", "routing_conflict", "Give the first frame as a media item"
                    + " of type first_frame when the request carries media or characters, not as input_reference.");
        }
        return new CreateVideoRequest(prompt, model, seconds, size, negativePrompt, seed, imageUrl, upload, audio,
                webhookUrl, routing, lora, media, characters);
    }

    /**
     * {@code characters}: the characters to cast, {@code [{"id": "char_..."}]} as OpenAI's create request names
     * them (a bare id string is read too); multipart carries the list as JSON text or as {@code characters[][id]}
     * fields (folded into a list by the reader). Whether each exists for the tenant is checked later.
     */
    private List<String> characters(JsonNode given, boolean textScalars) {
        JsonNode node = listFromText(given, textScalars, "characters", "{\"id\": \"char_...\"}");
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw typeError("characters", "a list of {\"id\": \"char_...\"} objects");
        }
        if (node.isEmpty()) {
            return List.of();
        }
        if (node.size() > MAX_CHARACTERS) {
            throw ApiException.invalid("characters", "array_above_max_length", "characters holds at most "
                    + MAX_CHARACTERS + " items.");
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String at = "characters[" + i + "]";
            JsonNode id = item.isObject() ? item.get("id") : item;
            if (item.isObject()) {
                for (String name : item.propertyNames()) {
                    if (!name.equals("id")) {
                        throw ApiException.invalid(at + "." + name, "unknown_parameter",
                                "Unrecognized request argument supplied: " + ApiError.printable(name) + ".");
                    }
                }
            }
            if (id == null || id.isNull()) {
                throw ApiException.invalid(at + ".id", "missing_required_parameter",
                        "Missing required parameter: '" + at + ".id'.");
            }
            String value = text(id, at + ".id", 64);
            if (!VideoCharacters.ID.matcher(value).matches()) {
                throw ApiException.invalid(at + ".id", "invalid_value",
                        at + ".id must be a character id (char_...).");
            }
            if (ids.contains(value)) {
                throw ApiException.invalid(at + ".id", "duplicate_parameter", value + " is listed twice.");
            }
            ids.add(value);
        }
        return ids;
    }

    /**
     * {@code media}: typed inputs of the newer modes, {@code [{"type": "reference_image", "url": "https://..."}]}
     * (types: the cloud catalog's {@link MediaType}); the combination must make a mode (reference-to-video,
     * first/last frame, continuation, edit). Multipart carries the list as JSON text.
     */
    private List<MediaInput> media(JsonNode given, boolean textScalars) {
        JsonNode node = listFromText(given, textScalars, "media", "{type, url}");
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw typeError("media", "a list of {type, url} objects");
        }
        if (node.size() > MAX_MEDIA) {
            throw ApiException.invalid("media", "array_above_max_length", "media holds at most " + MAX_MEDIA
                    + " items.");
        }
        List<MediaInput> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String at = "media[" + i + "]";
            if (!item.isObject()) {
                throw typeError(at, "an object with type and url");
            }
            JsonNode type = item.get("type");
            if (type == null || type.isNull()) {
                throw ApiException.invalid(at + ".type", "missing_required_parameter",
                        "Missing required parameter: '" + at + ".type'.");
            }
            MediaType parsed = MediaType.parse(text(type, at + ".type", 32)).orElseThrow(() -> ApiException.invalid(
                    at + ".type", "invalid_value", at + ".type must be one of " + MediaType.names() + "."));
            JsonNode url = item.get("url");
            if (url == null || url.isNull()) {
                throw ApiException.invalid(at + ".url", "missing_required_parameter",
                        "Missing required parameter: '" + at + ".url'.");
            }
            out.add(new MediaInput(parsed, url(url, at + ".url")));
        }
        if (ModelCatalog.modeOf(out.stream().map(m -> VideoRequest.Media.of(m.type(), m.url().toString())).toList())
                .isEmpty()) {
            throw ApiException.invalid("media", "invalid_value", "These media make no mode: use reference_image/"
                    + "reference_video (reference-to-video, plus at most one first_frame), first_frame + last_frame,"
                    + " first_clip (+ last_frame), or one video (+ reference_image) to edit.");
        }
        return out;
    }

    /**
     * A list field as given: {@code null} when absent or null; in multipart, where it may arrive as JSON text, the
     * parsed text (anything but valid JSON is a 400 naming {@code field}).
     */
    private static JsonNode listFromText(JsonNode node, boolean textScalars, String field, String items) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!textScalars || !node.isString()) {
            return node;
        }
        try {
            return tools.jackson.databind.json.JsonMapper.builder().build().readTree(node.stringValue());
        } catch (tools.jackson.core.JacksonException e) {
            throw ApiException.invalid(field, "invalid_type", field + " must be a JSON list of " + items + ".");
        }
    }

    String requiredText(JsonNode body, String field, int maxChars) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            throw ApiException.invalid(field, "missing_required_parameter", "Missing required parameter: '" + field + "'.");
        }
        String text = text(node, field, maxChars);
        if (text.isBlank()) {
            throw ApiException.invalid(field, "empty_parameter", field + " must not be empty.");
        }
        return text;
    }

    private String optionalText(JsonNode body, String field, int maxChars) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        String text = text(node, field, maxChars);
        return text.isBlank() ? null : text;
    }

    private static String text(JsonNode node, String field, int maxChars) {
        if (!node.isString()) {
            throw typeError(field, "a string");
        }
        String text = node.stringValue();
        if (text.codePointCount(0, text.length()) > maxChars) {
            throw ApiException.invalid(field, "string_above_max_length",
                    field + " is longer than the limit of " + maxChars + " characters.");
        }
        if (text.indexOf('\0') >= 0) {
            throw ApiException.invalid(field, "invalid_characters", field + " must not contain NUL characters.");
        }
        return text;
    }

    Integer seconds(JsonNode body) {
        JsonNode node = body.get("seconds");
        if (node == null || node.isNull()) {
            return DEFAULT_SECONDS;
        }
        long value;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.longValue();
        } else if (node.isString() && SECONDS.matcher(node.stringValue().trim()).matches()) {
            value = Long.parseLong(node.stringValue().trim());
        } else {
            throw ApiException.invalid("seconds", "invalid_type",
                    "seconds must be a whole number of seconds, written as a string such as \"5\".");
        }
        if (value < 1 || value > limits.maxSeconds()) {
            throw ApiException.invalid("seconds", "invalid_value",
                    "seconds must be between 1 and " + limits.maxSeconds() + ".");
        }
        return (int) value;
    }

    /** A size field ({@code size}, {@code routing.lower_tier_size}): {@code WIDTHxHEIGHT} within the side limits. */
    private static VideoSize size(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw typeError(field, "a string such as \"1280x720\"");
        }
        String text = node.stringValue().trim().toLowerCase(Locale.ROOT);
        if (!SIZE.matcher(text).matches()) {
            throw ApiException.invalid(field, "invalid_value", field + " must look like 1280x720.");
        }
        VideoSize size;
        try {
            size = VideoSize.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, "invalid_value", field + " must look like 1280x720.");
        }
        if (size.width() < MIN_SIDE || size.height() < MIN_SIDE || size.width() > MAX_SIDE
                || size.height() > MAX_SIDE) {
            throw ApiException.invalid(field, "invalid_value",
                    field + " must be between " + MIN_SIDE + " and " + MAX_SIDE + " pixels on each side.");
        }
        return size;
    }

    private static Long integer(JsonNode body, String field, String param, boolean textScalars, long min, long max) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        long value;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.longValue();
        } else if (textScalars && node.isString() && node.stringValue().trim().matches("-?\\d{1,19}")) {
            try {
                value = Long.parseLong(node.stringValue().trim());
            } catch (NumberFormatException e) {
                throw ApiException.invalid(param, "invalid_value", param + " is out of range.");
            }
        } else {
            throw typeError(param, "an integer");
        }
        if (value < min || value > max) {
            throw ApiException.invalid(param, "invalid_value", param + " must be between " + min + " and " + max + ".");
        }
        return value;
    }

    private URI inputReference(JsonNode body, ImageUpload upload) {
        JsonNode node = body.get("input_reference");
        if (node == null || node.isNull()) {
            return null;
        }
        if (upload != null) {
            throw ApiException.invalid("input_reference", "invalid_value",
                    "input_reference must be either an uploaded file or an image_url, not both.");
        }
        if (node.isString()) {
            return url(node, "input_reference");
        }
        if (!node.isObject()) {
            throw typeError("input_reference", "an object {\"image_url\": ...} or an uploaded image file");
        }
        for (String name : node.propertyNames()) {
            if (!name.equals("image_url")) {
                throw ApiException.invalid("input_reference." + ApiError.printable(name), "unknown_parameter",
                        "input_reference accepts only image_url (or an uploaded file).");
            }
        }
        JsonNode imageUrl = node.get("image_url");
        if (imageUrl == null || imageUrl.isNull()) {
            throw ApiException.invalid("input_reference.image_url", "missing_required_parameter",
                    "input_reference needs image_url.");
        }
        return url(imageUrl, "input_reference.image_url");
    }

    private AudioSpec audio(JsonNode body, boolean textScalars) {
        JsonNode node = body.get("audio");
        if (node == null || node.isNull()) {
            return AudioSpec.NONE;
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? AudioSpec.GENERATED : AudioSpec.NONE;
        }
        if (textScalars && node.isString() && (node.stringValue().equals("true") || node.stringValue().equals("false"))) {
            return node.stringValue().equals("true") ? AudioSpec.GENERATED : AudioSpec.NONE;
        }
        if (!node.isObject()) {
            throw typeError("audio", "true, false or an object {\"url\": ...}");
        }
        for (String name : node.propertyNames()) {
            if (!name.equals("url")) {
                throw ApiException.invalid("audio." + ApiError.printable(name), "unknown_parameter",
                        "audio accepts only url.");
            }
        }
        JsonNode url = node.get("url");
        if (url == null || url.isNull()) {
            throw ApiException.invalid("audio.url", "missing_required_parameter", "audio needs url.");
        }
        return new AudioSpec.FromUrl(url(url, "audio.url"));
    }

    private RoutingHints routing(JsonNode node, boolean textScalars) {
        if (node == null || node.isNull()) {
            return RoutingHints.NONE;
        }
        if (!node.isObject()) {
            throw typeError("routing", "an object");
        }
        for (String name : node.propertyNames()) {
            if (!ROUTING.contains(name)) {
                throw ApiException.invalid("routing." + ApiError.printable(name), "unknown_parameter",
                        "Unrecognized routing argument: " + ApiError.printable(name) + ".");
            }
        }
        String backend = backend(node);
        if ("auto".equals(backend)) {
            backend = null;
        }
        String objective = enumText(node, "objective", Set.of("cost", "latency"));
        BigDecimal maxCost = decimal(node, "max_cost_usd", textScalars);
        Long deadline = integer(node, "deadline_seconds", "routing.deadline_seconds", textScalars, 1, 86_400);
        boolean localOnly = bool(node, "local_only", textScalars);
        if (localOnly && Backend.CLOUD.is(backend)) {
            throw ApiException.invalid("routing.local_only", "conflicting_parameters",
                    "routing.local_only cannot be combined with routing.backend = cloud.");
        }
        VideoSize lowerTierSize = size(node.get("lower_tier_size"), "routing.lower_tier_size");
        return new RoutingHints(backend,
                objective == null ? null : RoutingHints.Objective.valueOf(objective.toUpperCase(Locale.ROOT)),
                maxCost, deadline == null ? null : Duration.ofSeconds(deadline), localOnly, lowerTierSize);
    }

    /**
     * {@code auto}, {@code local}, {@code cloud} or a remote engine's configured name (lower-case, at most 16
     * characters, as {@code gateway.remote-engines[].name} is); whether such a backend exists here is the router's
     * check, a 400 on the same field.
     */
    private static String backend(JsonNode routing) {
        JsonNode node = routing.get("backend");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString() || !BACKEND_NAME.matcher(node.stringValue()).matches()) {
            throw ApiException.invalid("routing.backend", "invalid_value", "routing.backend must be 'auto', '"
                    + Backend.LOCAL.id() + "', '" + Backend.CLOUD.id() + "' or a remote engine's name.");
        }
        return node.stringValue();
    }

    private static final java.util.regex.Pattern BACKEND_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,15}");

    private static String enumText(JsonNode routing, String field, Set<String> allowed) {
        JsonNode node = routing.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString() || !allowed.contains(node.stringValue())) {
            throw ApiException.invalid("routing." + field, "invalid_value",
                    "routing." + field + " must be one of " + allowed.stream().sorted().toList() + ".");
        }
        return node.stringValue();
    }

    private static BigDecimal decimal(JsonNode routing, String field, boolean textScalars) {
        JsonNode node = routing.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        BigDecimal value;
        if (node.isNumber()) {
            value = node.decimalValue();
        } else if (node.isString() && node.stringValue().trim().matches("\\d{1,7}(\\.\\d{1,6})?")) {
            value = new BigDecimal(node.stringValue().trim());
        } else {
            throw typeError("routing." + field, "a number of US dollars");
        }
        if (value.signum() <= 0 || value.compareTo(MAX_COST) > 0) {
            throw ApiException.invalid("routing." + field, "invalid_value",
                    "routing." + field + " must be more than 0 and at most " + MAX_COST + ".");
        }
        return value;
    }

    private static boolean bool(JsonNode routing, String field, boolean textScalars) {
        JsonNode node = routing.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (textScalars && node.isString() && (node.stringValue().equals("true") || node.stringValue().equals("false"))) {
            return Boolean.parseBoolean(node.stringValue());
        }
        throw typeError("routing." + field, "a boolean");
    }

    /** Syntax only; reachability and address checks (SSRF) happen in {@link InputUrlPolicy}. */
    private URI url(JsonNode node, String field) {
        if (!node.isString()) {
            throw typeError(field, "a URL string");
        }
        String text = node.stringValue().trim();
        if (text.length() > limits.maxUrlLength()) {
            throw ApiException.invalid(field, "string_above_max_length",
                    field + " is longer than " + limits.maxUrlLength() + " characters.");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw ApiException.invalid(field, "invalid_url", field + " is not a valid URL.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.invalid(field, "invalid_url", field + " must be an http or https URL.");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw ApiException.invalid(field, "invalid_url", field + " must name a host.");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.invalid(field, "invalid_url", field + " must not carry credentials.");
        }
        return uri;
    }

    private static ApiException typeError(String field, String expected) {
        return ApiException.invalid(field, "invalid_type", field + " must be " + expected + ".");
    }
}
