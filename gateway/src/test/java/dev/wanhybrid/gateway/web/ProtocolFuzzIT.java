package dev.wanhybrid.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.e2e.support.ApiTestBase;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A seeded fuzz test of both APIs: generated requests to {@code /v1/videos} (create, list, retrieve, download,
 * cancel, delete), the DashScope facade (create, query, cancel) and paths and headers the container itself reads.
 * Every request is built either from a valid template with one or more mutations that each make it invalid, or as
 * the valid template itself, so the oracle is exact: no answer is a 5xx, no malformed request gets a 2xx, and every
 * error is in the shape of the path's protocol (the OpenAI envelope under {@code /v1}, DashScope's
 * {@code {request_id, code, message}} under {@code /api/v1}).
 *
 * <p>Reproduce a run with {@code -Dfuzz.seed=<seed>}; {@code -Dfuzz.requests=<n>} changes the count (10,000 by
 * default). The seed and the counts per class are printed.
 */
class ProtocolFuzzIT extends ApiTestBase {

    private static final String FACADE = "/api/v1/services/aigc/video-generation/video-synthesis";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @LocalServerPort
    int port;

    /** One generated request and what the oracle demands of it. */
    private record Probe(String kind, String method, String target, Map<String, String> headers, byte[] body,
            boolean malformed) {}

    @Test
    void noGeneratedRequestGetsA5xxAMalformedOneNeverA2xxAndEveryAnswerIsInItsProtocolsShape() throws Exception {
        long seed = Long.getLong("fuzz.seed", 20_261_204L);
        int count = Integer.getInteger("fuzz.requests", 10_000);
        SplittableRandom random = new SplittableRandom(seed);
        RawHttp raw = new RawHttp(port);
        Map<String, int[]> perKind = new TreeMap<>();
        Map<String, Long> perKindNanos = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < count && failures.size() < 5; i++) {
            Probe probe = generate(random);
            Map<String, String> headers = new LinkedHashMap<>(probe.headers());
            if (probe.body() != null) {
                headers.put("Content-Length", Integer.toString(probe.body().length));
            }
            long sent = System.nanoTime();
            RawHttp.Answer answer = raw.send(probe.method(), probe.target(), headers, body(probe.body()));
            perKindNanos.merge(probe.kind(), System.nanoTime() - sent, Long::sum);
            int[] tally = perKind.computeIfAbsent(probe.kind(), k -> new int[3]);
            tally[answer.status() < 300 ? 0 : answer.status() < 500 ? 1 : 2]++;
            String problem = judge(probe, answer);
            if (problem != null) {
                failures.add("#" + i + " " + probe.kind() + " " + probe.method() + " " + abbreviate(probe.target())
                        + " body=" + abbreviate(probe.body() == null ? "" : new String(probe.body(),
                                StandardCharsets.UTF_8)) + " -> " + answer.status() + " " + abbreviate(answer.body())
                        + ": " + problem);
            }
        }
        System.out.printf("protocol fuzz: seed %d, %d requests in %d ms; per class [2xx, 4xx, 5xx] and mean ms:%n",
                seed, count, (System.nanoTime() - started) / 1_000_000);
        perKind.forEach((k, v) -> System.out.printf("  %-22s %5d %5d %5d %7.2f%n", k, v[0], v[1], v[2],
                perKindNanos.get(k) / 1e6 / (v[0] + v[1] + v[2])));
        assertThat(failures).as("seed %d", seed).isEmpty();
    }

    // ---- the oracle ----------------------------------------------------------------------------------------

    private static String judge(Probe probe, RawHttp.Answer answer) {
        int status = answer.status();
        if (status >= 500) {
            return "a 5xx";
        }
        if (probe.malformed() && status < 400) {
            return "a malformed request was accepted";
        }
        ProtocolErrors.Protocol protocol = ProtocolErrors.Protocol.of(probe.target());
        if (status < 400) {
            return null;
        }
        String type = answer.headers().getOrDefault("content-type", "");
        if (!type.startsWith("application/json")) {
            return "error content type " + type;
        }
        JsonNode json;
        try {
            json = Http.JSON.readTree(answer.body());
        } catch (RuntimeException e) {
            return "error body is not JSON";
        }
        if (protocol == ProtocolErrors.Protocol.OPENAI) {
            JsonNode error = json.path("error");
            if (!error.isObject() || !error.path("message").isString() || !error.path("type").isString()
                    || !error.has("param") || !error.has("code") || json.size() != 1) {
                return "not the OpenAI envelope";
            }
        } else if (protocol == ProtocolErrors.Protocol.DASHSCOPE) {
            if (!json.path("request_id").isString() || !json.path("code").isString()
                    || !json.path("message").isString() || json.has("error")) {
                return "not DashScope's error shape";
            }
        }
        return null;
    }

    // ---- generators ----------------------------------------------------------------------------------------

    private Probe generate(SplittableRandom r) {
        int roll = r.nextInt(100);
        if (roll < 33) {
            return v1Create(r);
        } else if (roll < 58) {
            return facadeCreate(r);
        } else if (roll < 70) {
            return list(r);
        } else if (roll < 85) {
            return byId(r);
        } else if (roll < 93) {
            return facadeById(r);
        }
        return container(r);
    }

    private static Map<String, String> auth(String... kv) {
        return RawHttp.bearer(TestBackends.ALPHA_KEY, kv);
    }

    private static ObjectNode v1Template() {
        ObjectNode body = NODES.objectNode();
        body.put("prompt", "a paper boat on a rainy street");
        body.put("seconds", "5");
        body.put("size", "832x480");
        return body;
    }

    private Probe v1Create(SplittableRandom r) {
        ObjectNode body = v1Template();
        if (r.nextInt(40) == 0) {
            return new Probe("v1.create.valid", "POST", "/v1/videos", auth("Content-Type", "application/json"),
                    bytes(body), false);
        }
        int mutations = 1 + r.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            mutateV1(body, r);
        }
        Probe structural = structural("v1.create", "/v1/videos", body, r, auth());
        return structural != null ? structural
                : new Probe("v1.create.field", "POST", "/v1/videos", auth("Content-Type", json(r)), bytes(body), true);
    }

    /** Each case puts a value the field can never take. */
    private static void mutateV1(ObjectNode body, SplittableRandom r) {
        switch (r.nextInt(13)) {
            case 0 -> body.set("prompt", pick(r, NODES.numberNode(5), NODES.booleanNode(true), NODES.arrayNode(),
                    NODES.objectNode(), NODES.stringNode(""), NODES.stringNode("   "),
                    NODES.stringNode("x".repeat(4001 + r.nextInt(3000))), NODES.stringNode("a\u0000b"),
                    NODES.nullNode()));
            case 1 -> body.set("model", pick(r, NODES.numberNode(7), NODES.stringNode("../etc/passwd"),
                    NODES.stringNode("m".repeat(65)), NODES.stringNode("no-such-model"), NODES.arrayNode()));
            case 2 -> body.set("seconds", pick(r, NODES.stringNode("abc"), NODES.numberNode(0), NODES.numberNode(-1),
                    NODES.numberNode(61 + r.nextInt(10_000)), NODES.numberNode(5.5), NODES.booleanNode(true),
                    NODES.stringNode("-5"), NODES.objectNode()));
            case 3 -> body.set("size", pick(r, NODES.stringNode("big"), NODES.numberNode(1280),
                    NODES.stringNode("10x10"), NODES.stringNode("99999x720"), NODES.stringNode("0x720"),
                    NODES.stringNode("1280x"), NODES.stringNode("x".repeat(100))));
            case 4 -> body.set("negative_prompt", pick(r, NODES.numberNode(1), NODES.stringNode("n".repeat(2001)),
                    NODES.arrayNode()));
            case 5 -> body.set("seed", pick(r, NODES.stringNode("abc"), NODES.numberNode(-1), NODES.numberNode(1.5),
                    NODES.numberNode(4_294_967_296L + r.nextInt(1000)), NODES.stringNode("7")));
            case 6 -> body.set("input_reference", pick(r, NODES.numberNode(3), NODES.objectNode(),
                    object("image_url", NODES.numberNode(5)), object("image_url", NODES.stringNode("ftp://h/a.png")),
                    object("file_id", NODES.stringNode("f")), object("image_url", NODES.stringNode("not a url")),
                    object("image_url", NODES.stringNode("http://127.0.0.1/a.png")),
                    object("image_url", NODES.stringNode("http://169.254.169.254/latest/meta-data"))));
            case 7 -> body.set("audio", pick(r, NODES.stringNode("yes"), NODES.objectNode(),
                    object("volume", NODES.numberNode(1)), object("url", NODES.stringNode("file:///etc/passwd")),
                    NODES.numberNode(1)));
            case 8 -> body.set("webhook_url", pick(r, NODES.numberNode(5), NODES.stringNode("javascript:alert(1)"),
                    NODES.stringNode("http://u:p@hooks.test/"), NODES.stringNode("http://[::1]:8080/hook")));
            case 9 -> body.set("routing", pick(r, NODES.stringNode("cloud"), object("backend", NODES.stringNode("gpu")),
                    object("max_cost_usd", NODES.numberNode(-1)), object("max_cost_usd", NODES.stringNode("abc")),
                    object("deadline_seconds", NODES.numberNode(0)), object("local_only", NODES.stringNode("yes")),
                    object("x", NODES.numberNode(1)), object("objective", NODES.stringNode("quality"))));
            case 10 -> body.put("unknown_" + Integer.toHexString(r.nextInt()), r.nextInt());
            case 11 -> body.set("lora", pick(r, NODES.numberNode(1), NODES.stringNode("no-such-lora"),
                    NODES.stringNode("l".repeat(129))));
            default -> body.set("prompt", NODES.stringNode(randomText(r, 4001 + r.nextInt(2000))));
        }
    }

    private static ObjectNode facadeTemplate(SplittableRandom r) {
        ObjectNode body = NODES.objectNode();
        body.put("model", r.nextBoolean() ? "wan2.1-t2v-turbo" : "wan2.2-t2v-plus");
        body.putObject("input").put("prompt", "a kite over the dunes");
        body.putObject("parameters").put("size", "832*480").put("duration", 5);
        return body;
    }

    private Probe facadeCreate(SplittableRandom r) {
        ObjectNode body = facadeTemplate(r);
        if (r.nextInt(40) == 0) {
            return new Probe("facade.create.valid", "POST", FACADE, auth("Content-Type", "application/json",
                    "X-DashScope-Async", "enable"), bytes(body), false);
        }
        if (r.nextInt(20) == 0) {
            Map<String, String> headers = r.nextBoolean() ? auth("Content-Type", "application/json")
                    : Map.of("Content-Type", "application/json", "X-DashScope-Async", "enable",
                            "Authorization", "Bearer sk-" + Integer.toHexString(r.nextInt()));
            return new Probe("facade.create.headers", "POST", FACADE, headers, bytes(body), true);
        }
        int mutations = 1 + r.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            mutateFacade(body, r);
        }
        Probe structural = structural("facade.create", FACADE, body, r, auth("X-DashScope-Async", "enable"));
        return structural != null ? structural : new Probe("facade.create.field", "POST", FACADE,
                auth("Content-Type", json(r), "X-DashScope-Async", "enable"), bytes(body), true);
    }

    private static void mutateFacade(ObjectNode body, SplittableRandom r) {
        ObjectNode input = body.get("input") instanceof ObjectNode o ? o : body.putObject("input");
        ObjectNode parameters = body.get("parameters") instanceof ObjectNode o ? o : body.putObject("parameters");
        switch (r.nextInt(12)) {
            case 0 -> body.set("model", pick(r, NODES.numberNode(7), NODES.nullNode(), NODES.stringNode(""),
                    NODES.stringNode("m".repeat(65)), NODES.arrayNode()));
            case 1 -> body.set("input", pick(r, NODES.stringNode("x"), NODES.nullNode(), NODES.numberNode(1),
                    NODES.arrayNode()));
            case 2 -> input.set("prompt", pick(r, NODES.numberNode(5), NODES.booleanNode(false), NODES.arrayNode(),
                    NODES.objectNode(), NODES.stringNode("p".repeat(1501 + r.nextInt(4000))),
                    NODES.stringNode(""), NODES.stringNode("a\u0000b")));
            case 3 -> input.set("negative_prompt", pick(r, NODES.numberNode(5),
                    NODES.stringNode("n".repeat(501 + r.nextInt(1000)))));
            case 4 -> input.set("img_url", pick(r, NODES.numberNode(5), NODES.objectNode(),
                    NODES.stringNode("file:///etc/passwd"), NODES.stringNode("not a url"),
                    NODES.stringNode("http://127.0.0.1:22/x.png"), NODES.stringNode("gopher://h/x")));
            case 5 -> body.set("parameters", pick(r, NODES.stringNode("x"), NODES.numberNode(5), NODES.arrayNode(),
                    NODES.booleanNode(true)));
            case 6 -> parameters.set("seed", pick(r, NODES.stringNode("7"), NODES.numberNode(-1),
                    NODES.numberNode(2_147_483_648L + r.nextInt(1000)), NODES.numberNode(1.5),
                    NODES.booleanNode(true)));
            case 7 -> parameters.set("duration", pick(r, NODES.stringNode("5"), NODES.numberNode(0),
                    NODES.numberNode(61 + r.nextInt(1000)), NODES.numberNode(1.5), NODES.numberNode(-3)));
            case 8 -> parameters.set(pick(r, "watermark", "prompt_extend", "audio"), pick(r, NODES.stringNode("no"),
                    NODES.numberNode(1), NODES.arrayNode()));
            case 9 -> parameters.set("size", pick(r, NODES.numberNode(5), NODES.stringNode("abc"),
                    NODES.stringNode("99999*1"), NODES.arrayNode()));
            // A t2v model with a size ignores resolution, as DashScope does; only its type is checked.
            case 10 -> parameters.set("resolution", pick(r, NODES.numberNode(720), NODES.arrayNode()));
            default -> input.set("audio_url", pick(r, NODES.numberNode(1), NODES.stringNode("file:///dev/zero"),
                    NODES.stringNode("ftp://h/a.mp3")));
        }
    }

    /**
     * Sometimes, instead of a field mutation, breaks the body itself: cut short, random bytes, not UTF-8, a
     * charset other than UTF-8, not JSON at all, or over the size limit. Null to keep the field mutation.
     */
    private static Probe structural(String kind, String path, ObjectNode body, SplittableRandom r,
            Map<String, String> headers) {
        if (r.nextInt(3) != 0) {
            return null;
        }
        byte[] valid = bytes(body);
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Type", "application/json");
        byte[] broken;
        switch (r.nextInt(8)) {
            case 0 -> broken = java.util.Arrays.copyOf(valid, r.nextInt(valid.length));
            case 1 -> {
                broken = new byte[1 + r.nextInt(200)];
                r.nextBytes(broken);
            }
            case 2 -> {
                broken = valid.clone();
                int at = valid.length > 12 ? 10 + r.nextInt(valid.length - 11) : 0;
                broken[at] = (byte) (0x80 | r.nextInt(0x40));
            }
            case 3 -> {
                broken = valid;
                h.put("Content-Type", "application/json; charset=" + pick(r, "utf-16", "UTF-16LE", "iso-8859-1",
                        "x-unknown"));
            }
            case 4 -> {
                broken = valid;
                h.put("Content-Type", pick(r, "text/plain", "application/xml", "application/x-www-form-urlencoded",
                        "image/png"));
            }
            case 5 -> broken = pick(r, "[]", "5", "\"x\"", "null", "true", "{", "}", "").getBytes(StandardCharsets.UTF_8);
            case 6 -> {
                String prefix = new String(valid, StandardCharsets.UTF_8);
                broken = (prefix.substring(0, prefix.length() - 1) + ",\"pad\":\"" + "z".repeat(70_000 + r.nextInt(50_000))
                        + "\"}").getBytes(StandardCharsets.UTF_8);
            }
            default -> broken = ("{\"a\":" + "[".repeat(1000 + r.nextInt(5000))).getBytes(StandardCharsets.UTF_8);
        }
        return new Probe(kind + ".body", "POST", path, h, broken, true);
    }

    private Probe list(SplittableRandom r) {
        String limit = pick(r, "0", "101", "-1", "abc", "1e3", "", "%ff", "99999999999", "1.5", "%");
        String order = pick(r, "up", "ASC", "", "%00", "des", "asc%20");
        String after = pick(r, "video_1", "x", "video_" + "0".repeat(32), "%2f", "%ff", "../../etc",
                "video_" + "g".repeat(32), "a".repeat(r.nextInt(3000)));
        if (r.nextInt(10) == 0) {
            String valid = pick(r, "?limit=5", "?order=asc", "?limit=100&order=desc", "");
            return new Probe("v1.list.valid", "GET", "/v1/videos" + valid, auth(), null, false);
        }
        String query = switch (r.nextInt(4)) {
            case 0 -> "?limit=" + limit;
            case 1 -> "?order=" + order;
            case 2 -> "?after=" + after;
            default -> "?limit=" + limit + "&order=" + order + "&after=" + after;
        };
        // An unknown video id as the cursor is malformed; an empty limit, order or cursor is a bad value too.
        return new Probe("v1.list", "GET", "/v1/videos" + query, auth(), null, true);
    }

    private Probe byId(SplittableRandom r) {
        String id = randomId(r);
        String suffix = pick(r, "", "/content", "/content?variant=thumbnail", "/content?variant=%ff",
                "/cancel", "/events");
        String method = suffix.equals("/cancel") ? "POST" : pick(r, "GET", "GET", "DELETE", "PUT", "PATCH");
        Map<String, String> headers = auth();
        if (suffix.startsWith("/content") && r.nextBoolean()) {
            headers.put("Range", pick(r, "bytes=0-", "bytes=-1", "bytes=5-1", "items=0-1", "bytes=a-b",
                    "bytes=" + "9".repeat(40) + "-"));
        }
        if (method.equals("PUT") || method.equals("PATCH") || method.equals("POST")) {
            headers.put("Content-Length", "0");
        }
        // No such video for this tenant, or an id that cannot be one: never a 2xx.
        return new Probe("v1.by-id", method, "/v1/videos/" + id + suffix, headers, null, true);
    }

    private Probe facadeById(SplittableRandom r) {
        String id = pick(r, "%", "%zz", "a%2fb", "%ff%fe", "x".repeat(5000), "..%2f..", "%00");
        String suffix = pick(r, "", "/cancel");
        String method = suffix.isEmpty() ? pick(r, "GET", "DELETE", "PUT") : pick(r, "POST", "GET");
        Map<String, String> headers = auth();
        if (!method.equals("GET")) {
            headers.put("Content-Length", "0");
        }
        if (r.nextInt(8) == 0) {
            // DashScope answers a well-formed unknown task id with 200 UNKNOWN.
            return new Probe("facade.by-id.unknown", "GET", "/api/v1/tasks/" + randomId(r).replace("%", "p"),
                    auth(), null, false);
        }
        return new Probe("facade.by-id", method, "/api/v1/tasks/" + id + suffix, headers, null, true);
    }

    private Probe container(SplittableRandom r) {
        String prefix = pick(r, "/v1/videos/", "/api/v1/tasks/", "/v1/", "/api/v1/");
        return switch (r.nextInt(4)) {
            case 0 -> new Probe("container.escape", "GET", prefix + pick(r, "%", "%g1", "%2f", "%5c", "%c0%af",
                    "%ed%a0%80", "a%00b"), auth(), null, true);
            case 1 -> new Probe("container.long-id", "GET", prefix + "i".repeat(9_000 + r.nextInt(20_000)), auth(),
                    null, true);
            case 2 -> new Probe("container.long-bearer", "GET", prefix + "x",
                    Map.of("Authorization", "Bearer " + "k".repeat(9_000 + r.nextInt(20_000))), null, true);
            default -> new Probe("container.unknown-path", pick(r, "GET", "POST", "DELETE"),
                    prefix + "no/such/" + Integer.toHexString(r.nextInt()), auth("Content-Length", "0"), null, true);
        };
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static String randomId(SplittableRandom r) {
        StringBuilder hex = new StringBuilder("video_");
        for (int i = 0; i < 32; i++) {
            hex.append(Character.forDigit(r.nextInt(16), 16));
        }
        return pick(r, hex.toString(), "video_short", "VIDEO_" + hex.substring(6), "%ff", "%2e%2e", "x");
    }

    private static String randomText(SplittableRandom r, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (0x20 + r.nextInt(0x2fff)));
        }
        return text.toString().replace('\\', ' ').replace('"', ' ').replaceAll("[\uD800-\uDFFF]", "x");
    }

    private static ObjectNode object(String field, JsonNode value) {
        ObjectNode node = NODES.objectNode();
        node.set(field, value);
        return node;
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom r, T... choices) {
        return choices[r.nextInt(choices.length)];
    }

    private static String json(SplittableRandom r) {
        return pick(r, "application/json", "application/json; charset=utf-8", "application/vnd.api+json");
    }

    private static byte[] bytes(JsonNode body) {
        return Http.JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    }

    private static Consumer<OutputStream> body(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        return out -> {
            try {
                out.write(bytes);
                out.flush();
            } catch (java.io.IOException e) {
                // answered and closed early (over the size limit)
            }
        };
    }

    private static String abbreviate(String text) {
        return text.length() > 160 ? text.substring(0, 160) + "..." : text;
    }
}
