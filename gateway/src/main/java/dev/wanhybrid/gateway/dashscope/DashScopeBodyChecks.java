package dev.wanhybrid.gateway.dashscope;

import dev.wanhybrid.cloud.catalog.CloudModel;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The types, lengths and ranges of a DashScope create body, checked before it is read into a request: DashScope
 * ignores fields it does not know (its SDK sends some the service never reads), but a known field of the wrong
 * type, a prompt over the documented length or a seed out of range is a 400 {@code InvalidParameter} whose message
 * starts with the field ({@code input.prompt}, {@code parameters.seed}, ...).
 */
final class DashScopeBodyChecks {

    /** DashScope's documented seed range. */
    static final long MAX_SEED = 2_147_483_647L;

    enum Type { STRING, INTEGER, BOOLEAN, STRING_ARRAY, MEDIA_LIST }

    static final Map<String, Type> INPUT = Map.of("prompt", Type.STRING, "negative_prompt", Type.STRING,
            "img_url", Type.STRING, "audio_url", Type.STRING, "reference_urls", Type.STRING_ARRAY,
            "first_frame_url", Type.STRING, "last_frame_url", Type.STRING, "template", Type.STRING,
            "media", Type.MEDIA_LIST);
    static final Map<String, Type> PARAMETERS = Map.of("size", Type.STRING, "resolution", Type.STRING,
            "duration", Type.INTEGER, "seed", Type.INTEGER, "prompt_extend", Type.BOOLEAN, "watermark", Type.BOOLEAN,
            "shot_type", Type.STRING, "audio", Type.BOOLEAN, "ratio", Type.STRING);

    private final DashScopeFacadeProperties limits;

    DashScopeBodyChecks(DashScopeFacadeProperties limits) {
        this.limits = limits;
    }

    /**
     * @param body the create body, already known to be an object with a string {@code model} and an object
     *     {@code input}
     * @param model the cloud model the body names, if the cloud catalog knows it (its documented prompt limit
     *     applies as well as the configured one)
     */
    void check(JsonNode body, Optional<CloudModel> model) {
        JsonNode input = body.get("input");
        types("input", input, INPUT);
        JsonNode parameters = body.get("parameters");
        if (parameters != null && !parameters.isNull()) {
            if (!parameters.isObject()) {
                throw DashScopeError.invalid("parameters", "must be an object");
            }
            types("parameters", parameters, PARAMETERS);
        }
        int promptMax = model.map(m -> Math.min(m.promptMaxChars(), limits.maxPromptChars()))
                .orElse(limits.maxPromptChars());
        length(input, "prompt", "input.prompt", promptMax);
        length(input, "negative_prompt", "input.negative_prompt", limits.maxNegativePromptChars());
        for (String url : new String[] {"img_url", "audio_url", "first_frame_url", "last_frame_url"}) {
            length(input, url, "input." + url, limits.maxUrlLength());
        }
        JsonNode refs = input.get("reference_urls");
        if (refs != null && refs.isArray()) {
            for (JsonNode ref : refs) {
                if (ref.stringValue().length() > limits.maxUrlLength()) {
                    throw DashScopeError.invalid("input.reference_urls",
                            "each URL must be at most " + limits.maxUrlLength() + " characters");
                }
            }
        }
        JsonNode media = input.get("media");
        if (media != null && media.isArray()) {
            for (JsonNode item : media) {
                length(item, "url", "input.media[].url", limits.maxUrlLength());
                length(item, "type", "input.media[].type", 32);
            }
        }
        if (parameters != null && parameters.isObject()) {
            range(parameters, "seed", "parameters.seed", 0, MAX_SEED);
            // -1 (the model chooses) and 0 (an edit keeps its input's length) are the new protocol's; the
            // catalog and the facade answer them precisely.
            range(parameters, "duration", "parameters.duration", -1, limits.maxDuration());
            length(parameters, "ratio", "parameters.ratio", 8);
            length(parameters, "size", "parameters.size", 16);
            length(parameters, "resolution", "parameters.resolution", 16);
            length(parameters, "shot_type", "parameters.shot_type", 16);
        }
    }

    private static void types(String prefix, JsonNode object, Map<String, Type> known) {
        for (Map.Entry<String, Type> field : known.entrySet()) {
            JsonNode value = object.get(field.getKey());
            if (value == null || value.isNull()) {
                continue;
            }
            String name = prefix + "." + field.getKey();
            switch (field.getValue()) {
                case STRING -> {
                    if (!value.isString()) {
                        throw DashScopeError.invalid(name, "must be a string");
                    }
                    if (value.stringValue().indexOf('\0') >= 0) {
                        throw DashScopeError.invalid(name, "must not contain NUL characters");
                    }
                }
                case INTEGER -> {
                    if (!value.isIntegralNumber()) {
                        throw DashScopeError.invalid(name, "must be an integer");
                    }
                }
                case BOOLEAN -> {
                    if (!value.isBoolean()) {
                        throw DashScopeError.invalid(name, "must be true or false");
                    }
                }
                case MEDIA_LIST -> {
                    if (!value.isArray()) {
                        throw DashScopeError.invalid(name, "must be a list of {type, url} objects");
                    }
                    int i = 0;
                    for (JsonNode item : value) {
                        String at = name + "[" + i++ + "]";
                        if (!item.isObject()) {
                            throw DashScopeError.invalid(at, "must be an object with type and url");
                        }
                        for (String key : new String[] {"type", "url"}) {
                            JsonNode v = item.get(key);
                            if (v != null && !v.isNull() && !v.isString()) {
                                throw DashScopeError.invalid(at + "." + key, "must be a string");
                            }
                        }
                    }
                }
                case STRING_ARRAY -> {
                    if (!value.isArray()) {
                        throw DashScopeError.invalid(name, "must be an array of URL strings");
                    }
                    for (JsonNode item : value) {
                        if (!item.isString()) {
                            throw DashScopeError.invalid(name, "must be an array of URL strings");
                        }
                    }
                }
            }
        }
    }

    private static void length(JsonNode object, String field, String name, int max) {
        JsonNode value = object.get(field);
        if (value != null && value.isString()) {
            String text = value.stringValue();
            if (text.codePointCount(0, text.length()) > max) {
                throw DashScopeError.invalid(name, "is longer than the limit of " + max + " characters");
            }
        }
    }

    private static void range(JsonNode object, String field, String name, long min, long max) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw DashScopeError.invalid(name, "must be within [" + min + ", " + max + "]");
        }
    }
}
