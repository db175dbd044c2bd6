package dev.wanhybrid.cloud.internal;

import dev.wanhybrid.cloud.DashScopeTimes;
import dev.wanhybrid.cloud.TaskStatus;
import dev.wanhybrid.cloud.TaskView;
import dev.wanhybrid.cloud.Usage;
import dev.wanhybrid.cloud.VideoRequest;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** DashScope's JSON, read leniently and written exactly; the only place that knows the wire names. */
public final class Wire {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private Wire() {}

    /** The create body: {@code {"model", "input": {...}, "parameters": {...}}}, leaving out absent fields. */
    public static ObjectNode createBody(VideoRequest r, String wireModel) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", wireModel);
        ObjectNode input = body.putObject("input");
        putIf(input, "prompt", r.prompt());
        putIf(input, "negative_prompt", r.negativePrompt());
        putIf(input, "img_url", r.imgUrl());
        putIf(input, "audio_url", r.audioUrl());
        putIf(input, "first_frame_url", r.firstFrameUrl());
        putIf(input, "last_frame_url", r.lastFrameUrl());
        if (r.referenceUrls() != null) {
            ArrayNode refs = input.putArray("reference_urls");
            r.referenceUrls().forEach(refs::add);
        }
        if (r.media() != null) {
            ArrayNode media = input.putArray("media");
            for (VideoRequest.Media m : r.media()) {
                ObjectNode item = media.addObject();
                putIf(item, "type", m.type());
                putIf(item, "url", m.url());
            }
        }
        ObjectNode parameters = body.putObject("parameters");
        putIf(parameters, "size", r.size());
        putIf(parameters, "ratio", r.ratio());
        putIf(parameters, "resolution", r.resolution());
        if (r.duration() != null) {
            parameters.put("duration", r.duration());
        }
        if (r.seed() != null) {
            parameters.put("seed", r.seed());
        }
        if (r.promptExtend() != null) {
            parameters.put("prompt_extend", r.promptExtend());
        }
        if (r.watermark() != null) {
            parameters.put("watermark", r.watermark());
        }
        putIf(parameters, "shot_type", r.shotType());
        if (r.audio() != null) {
            parameters.put("audio", r.audio());
        }
        return body;
    }

    /** Reads a create body back into a request (the simulator and the gateway facade use this). */
    public static VideoRequest readCreateBody(JsonNode body) {
        JsonNode in = body.path("input");
        JsonNode p = body.path("parameters");
        List<String> refs = null;
        if (in.path("reference_urls").isArray()) {
            refs = new java.util.ArrayList<>();
            for (JsonNode ref : in.path("reference_urls")) {
                refs.add(ref.asString());
            }
        }
        List<VideoRequest.Media> media = null;
        JsonNode mediaNode = in.get("media");
        if (mediaNode != null && !mediaNode.isNull()) {
            if (!mediaNode.isArray()) {
                throw new IllegalArgumentException("input.media must be a list of {type, url} objects");
            }
            media = new java.util.ArrayList<>();
            for (JsonNode item : mediaNode) {
                if (!item.isObject()) {
                    throw new IllegalArgumentException("input.media[" + media.size() + "] must be an object with"
                            + " type and url");
                }
                media.add(new VideoRequest.Media(text(item, "type"), text(item, "url")));
            }
        }
        return new VideoRequest(text(body, "model"), text(in, "prompt"), text(in, "negative_prompt"),
                text(in, "img_url"), text(in, "audio_url"), refs, text(in, "first_frame_url"),
                text(in, "last_frame_url"), text(p, "size"), text(p, "resolution"), integer(p, "duration"),
                longValue(p, "seed"), bool(p, "prompt_extend"), bool(p, "watermark"), text(p, "shot_type"),
                bool(p, "audio"), media, text(p, "ratio"));
    }

    /** Reads a query answer; anything missing becomes {@code null} rather than an error. */
    public static TaskView readTask(JsonNode body) {
        JsonNode out = body.path("output");
        JsonNode usage = body.path("usage");
        String url = text(out, "video_url");
        return new TaskView(text(out, "task_id"), TaskStatus.parse(text(out, "task_status")),
                DashScopeTimes.parse(text(out, "submit_time")), DashScopeTimes.parse(text(out, "scheduled_time")),
                DashScopeTimes.parse(text(out, "end_time")), url == null ? null : URI.create(url),
                text(out, "orig_prompt"), text(out, "actual_prompt"), text(out, "code"), text(out, "message"),
                usage.isObject() ? readUsage(usage) : null, text(body, "request_id"));
    }

    /** Reads any family's usage block. */
    public static Usage readUsage(JsonNode u) {
        BigDecimal billed = decimal(u, "duration");
        if (billed == null) {
            billed = decimal(u, "video_duration");
        }
        if (billed == null) {
            billed = decimal(u, "output_video_duration");
        }
        String size = text(u, "size");
        if (size == null) {
            size = text(u, "video_ratio");
        }
        Map<String, Object> raw = JSON.convertValue(u, new TypeReference<Map<String, Object>>() {});
        return new Usage(billed, decimal(u, "input_video_duration"), size, integer(u, "SR"),
                integer(u, "video_count"), bool(u, "audio"), raw);
    }

    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull() || v.isMissingNode() || v.isContainer()) {
            return null;
        }
        return v.asString();
    }

    static BigDecimal decimal(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        try {
            return new BigDecimal(v.asString().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Integer integer(JsonNode node, String field) {
        BigDecimal d = decimal(node, field);
        return d == null ? null : d.intValue();
    }

    static Long longValue(JsonNode node, String field) {
        BigDecimal d = decimal(node, field);
        return d == null ? null : d.longValue();
    }

    static Boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        String s = v.asString().strip();
        return s.equalsIgnoreCase("true") ? Boolean.TRUE : s.equalsIgnoreCase("false") ? Boolean.FALSE : null;
    }

    private static void putIf(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
