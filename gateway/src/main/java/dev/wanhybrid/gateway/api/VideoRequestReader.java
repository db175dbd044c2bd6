package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.api.CreateVideoRequest.ImageUpload;
import dev.wanhybrid.gateway.generation.ImageFormat;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import dev.wanhybrid.gateway.web.JsonBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a create request off the wire: a size-limited JSON body, or multipart text fields (bracketed names such
 * as {@code routing[backend]} folded into objects) plus an {@code input_reference} image whose type is sniffed
 * from its bytes. Either way the body goes to {@link CreateVideoRequestParser} for field validation.
 */
final class VideoRequestReader {


    private static final Pattern BRACKET = Pattern.compile("([a-z_]+)\\[([a-z_]+)]");
    private static final Pattern LIST_ITEM = Pattern.compile("([a-z_]+)\\[(\\d*)]\\[([a-z_]+)]");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Multipart fields that may carry a JSON object as their text. */
    private static final java.util.Set<String> JSON_OBJECT_FIELDS = java.util.Set.of("routing", "audio",
            "input_reference", "video");

    private final ApiProperties properties;
    private final CreateVideoRequestParser parser;

    VideoRequestReader(ApiProperties properties) {
        this.properties = properties;
        this.parser = new CreateVideoRequestParser(properties);
    }

    /** The validated request, or an {@link ApiException} (400, 413 or 415) naming what is wrong. */
    CreateVideoRequest read(HttpServletRequest request) throws IOException {
        if (request instanceof MultipartHttpServletRequest multipart) {
            return parseMultipart(multipart);
        } else if (JsonBodies.isJson(request.getContentType())) {
            return parser.parse(readJson(request), false, null);
        } else {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ApiError.INVALID_REQUEST, null,
                    "unsupported_media_type", "Send the request as application/json or multipart/form-data.");
        }
    }

    private JsonNode readJson(HttpServletRequest request) throws IOException {
        String body = JsonBodies.read(request, properties.maxBodySize().toBytes());
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

    private CreateVideoRequest parseMultipart(MultipartHttpServletRequest request) throws IOException {
        ObjectNode body = fields(request);
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

    /**
     * The body of a request about an existing video (remix, edit, extension, character) as one JSON object, from
     * JSON or from multipart text fields ({@code video[id]} and a JSON {@code video} folded in); its file parts
     * are only counted, by name, since no such operation here takes an uploaded file.
     */
    DerivedBody readDerived(HttpServletRequest request) throws IOException {
        if (request instanceof MultipartHttpServletRequest multipart) {
            return new DerivedBody(fields(multipart), multipart.getMultiFileMap().keySet());
        } else if (JsonBodies.isJson(request.getContentType())) {
            JsonNode body = readJson(request);
            if (body == null || !body.isObject()) {
                throw ApiException.invalid(null, "invalid_body", "The request body must be a JSON object.");
            }
            return new DerivedBody((ObjectNode) body, java.util.Set.of());
        }
        throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ApiError.INVALID_REQUEST, null,
                "unsupported_media_type", "Send the request as application/json or multipart/form-data.");
    }

    /** OpenAI's limit on a character's display name. */
    static final int CHARACTER_NAME_MAX = 80;

    /**
     * A character request ({@code POST /v1/videos/characters}): multipart with a {@code name} text field and a
     * {@code video} part, read as bytes whether it came with a file name (curl, the Node SDK) or without one (the
     * Java SDK's byte arrays, which servlet containers count as text fields). The clip itself is checked by
     * {@link VideoCharacters}.
     */
    CharacterUpload readCharacter(HttpServletRequest request) throws IOException {
        if (!(request instanceof MultipartHttpServletRequest multipart)) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ApiError.INVALID_REQUEST, null,
                    "unsupported_media_type", "Send a character as multipart/form-data with name and video.");
        }
        java.util.List<jakarta.servlet.http.Part> videos = new java.util.ArrayList<>();
        java.util.List<String> names = new java.util.ArrayList<>();
        try {
            for (jakarta.servlet.http.Part part : multipart.getParts()) {
                switch (part.getName()) {
                    case "video" -> videos.add(part);
                    case "name" -> names.add(new String(part.getInputStream().readAllBytes(),
                            java.nio.charset.StandardCharsets.UTF_8));
                    default -> throw ApiException.invalid(part.getName(), "unknown_parameter",
                            "Unrecognized request argument supplied: " + ApiError.printable(part.getName()) + ".");
                }
            }
        } catch (jakarta.servlet.ServletException e) {
            throw ApiException.invalid(null, "invalid_multipart", "The multipart/form-data body could not be read.");
        }
        if (names.size() > 1 || videos.size() > 1) {
            String field = names.size() > 1 ? "name" : "video";
            throw ApiException.invalid(field, "duplicate_parameter", field + " was sent more than once.");
        }
        ObjectNode fields = JSON.createObjectNode();
        names.forEach(name -> fields.put("name", name));
        String name = parser.requiredText(fields, "name", CHARACTER_NAME_MAX);
        if (videos.isEmpty()) {
            throw ApiException.invalid("video", "missing_required_parameter",
                    "Missing required parameter: 'video' (the character's reference clip).");
        }
        return new CharacterUpload(name.strip(), videos.getFirst());
    }

    /** A character's display name and its uploaded clip, not yet checked. */
    record CharacterUpload(String name, jakarta.servlet.http.Part video) {}

    /** A derived operation's fields, and the names of any file parts it carried. */
    record DerivedBody(ObjectNode fields, java.util.Set<String> files) {}

    private static ObjectNode fields(MultipartHttpServletRequest request) {
        ObjectNode body = JSON.createObjectNode();
        Map<String, java.util.TreeMap<Integer, ObjectNode>> lists = new java.util.TreeMap<>();
        for (Map.Entry<String, String[]> entry : request.getParameterMap().entrySet()) {
            String name = entry.getKey();
            String[] values = entry.getValue();
            var item = LIST_ITEM.matcher(name);
            if (item.matches()) {
                // A list of objects: characters[][id] once per item (the OpenAI SDKs), or characters[0][id].
                var items = lists.computeIfAbsent(item.group(1), k -> new java.util.TreeMap<>());
                if (item.group(2).isEmpty()) {
                    for (int i = 0; i < values.length; i++) {
                        items.computeIfAbsent(i, k -> JSON.createObjectNode()).put(item.group(3), values[i]);
                    }
                } else if (values.length != 1 || item.group(2).length() > 3) {
                    throw ApiException.invalid(name, "duplicate_parameter", name + " was sent more than once.");
                } else {
                    items.computeIfAbsent(Integer.parseInt(item.group(2)), k -> JSON.createObjectNode())
                            .put(item.group(3), values[0]);
                }
                continue;
            }
            if (values.length != 1) {
                throw ApiException.invalid(name, "duplicate_parameter", name + " was sent more than once.");
            }
            String value = values[0];
            var bracket = BRACKET.matcher(name);
            if (bracket.matches()) {
                JsonNode parent = body.get(bracket.group(1));
                ObjectNode object = parent instanceof ObjectNode o ? o : body.putObject(bracket.group(1));
                object.put(bracket.group(2), value);
            } else if (JSON_OBJECT_FIELDS.contains(name) && value.trim().startsWith("{")) {
                try {
                    body.set(name, JSON.readTree(value));
                } catch (JacksonException e) {
                    throw ApiException.invalid(name, "invalid_json", name + " is not a valid JSON object.");
                }
            } else {
                body.put(name, value);
            }
        }
        lists.forEach((name, items) -> {
            if (body.has(name)) {
                throw ApiException.invalid(name, "duplicate_parameter", name + " was sent more than once.");
            }
            var array = body.putArray(name);
            items.values().forEach(array::add);
        });
        return body;
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
        // The bytes decide the type, whatever the client declared; the configuration decides which are accepted.
        ImageFormat format = ImageFormat.sniff(bytes).orElse(null);
        String sniffed = format == null ? null : format.mediaType();
        String declared = file.getContentType() == null ? "" : file.getContentType().toLowerCase(Locale.ROOT);
        if (sniffed == null || !properties.imageContentTypes().contains(sniffed)) {
            throw ApiException.invalid("input_reference", "invalid_image_format",
                    "input_reference must be one of " + properties.imageContentTypes() + ".");
        }
        if (!declared.isEmpty() && !declared.equals("application/octet-stream") && !declared.equals(sniffed)) {
            throw ApiException.invalid("input_reference", "invalid_image_format",
                    "input_reference is declared as " + ApiError.printable(declared) + " but is " + sniffed + ".");
        }
        ImageFormat.Image image = ImageFormat.inspect(bytes).orElseThrow(() -> ApiException.invalid(
                "input_reference", "invalid_image", "input_reference is not a readable " + sniffed
                        + " image: its structure is broken or incomplete."));
        if (image.width() > properties.maxImageSide() || image.height() > properties.maxImageSide()) {
            throw ApiException.invalid("input_reference", "image_too_large", "input_reference is " + image.width()
                    + "x" + image.height() + " pixels; each side must be at most " + properties.maxImageSide() + ".");
        }
        return new ImageUpload(sniffed, format.extension(), bytes);
    }
}
