package dev.wanhybrid.gateway.backend.remote;

import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendException.Kind;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * vLLM-Omni's video API, as its own code defines it ({@code vllm_omni/entrypoints/openai/protocol/videos.py} and the
 * API server's {@code /v1/videos} routes; see {@code docs/remote-engines.md} for what was verified):
 * <ul>
 *   <li>{@code POST /v1/videos}, {@code multipart/form-data}: {@code prompt}, {@code model}, {@code width},
 *       {@code height}, {@code num_frames}, {@code fps}, {@code num_inference_steps}, {@code guidance_scale},
 *       {@code negative_prompt}, {@code seed}, {@code generate_sound}, {@code lora} and {@code extra_params} (JSON
 *       objects as text), and the first frame of image-to-video as the file part {@code input_reference} (the
 *       route also takes {@code image_reference}, a JSON {@code image_url} or {@code file_id}, but never both);
 *       answers a {@code VideoResponse} ({@code id}, {@code status} {@code queued} /
 *       {@code in_progress} / {@code completed} / {@code failed}, {@code progress}, {@code error}).</li>
 *   <li>{@code GET /v1/videos/{id}}: the same object; 404 when the server does not know the id.</li>
 *   <li>{@code GET /v1/videos/{id}/content}: the MP4 once completed (409 before).</li>
 *   <li>{@code DELETE /v1/videos/{id}}: cancels a queued or running generation and deletes the record.</li>
 *   <li>{@code POST /v1/videos/sync}: the same form, answered with the MP4 itself when it is done.</li>
 * </ul>
 * {@link #form} is the one place where our request fields become theirs.
 */
final class VllmOmniClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String name;
    private final URI base;
    private final String apiKey;
    private final Duration timeout;
    private final HttpClient http;

    VllmOmniClient(String name, URI base, String apiKey, Duration timeout) {
        this.name = name;
        String root = base.toString();
        this.base = URI.create(root.endsWith("/") ? root : root + "/");
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A server's view of one video job. */
    record Video(String id, String status, int progress, String errorCode, String errorMessage,
            Double inferenceSeconds, Long createdAt, Long completedAt, String model, String prompt) {

        static Video of(JsonNode n) {
            JsonNode error = n.path("error");
            return new Video(n.path("id").asString(null), n.path("status").asString(""), n.path("progress").asInt(-1),
                    error.isObject() ? error.path("code").asString(null) : null,
                    error.isObject() ? error.path("message").asString(null) : null,
                    n.hasNonNull("inference_time_s") ? n.get("inference_time_s").asDouble() : null,
                    n.hasNonNull("created_at") ? n.get("created_at").asLong() : null,
                    n.hasNonNull("completed_at") ? n.get("completed_at").asLong() : null,
                    n.path("model").asString(null), n.path("prompt").asString(null));
        }
    }

    /**
     * Our request in vLLM-Omni's fields: the one mapping. Size and length become {@code width}, {@code height},
     * {@code num_frames} ({@code seconds * fps + 1}) and {@code fps}; the model's configured steps and guidance
     * become {@code num_inference_steps} and {@code guidance_scale}; generated sound is {@code generate_sound}.
     */
    static Map<String, String> form(GenerationSpec spec, RemoteEngineProperties.Model model, VideoSize size) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("prompt", spec.prompt());
        f.put("model", model.servedName());
        f.put("width", Integer.toString(size.width()));
        f.put("height", Integer.toString(size.height()));
        f.put("num_frames", Integer.toString(model.frames(spec.seconds())));
        f.put("fps", Integer.toString(model.fps()));
        f.put("seconds", Integer.toString(spec.seconds()));
        f.put("num_inference_steps", Integer.toString(model.steps()));
        if (model.guidanceScale() != null) {
            f.put("guidance_scale", model.guidanceScale().toPlainString());
        }
        if (spec.negativePrompt() != null) {
            f.put("negative_prompt", spec.negativePrompt());
        }
        if (spec.seed() != null) {
            f.put("seed", Long.toString(spec.seed()));
        }
        if (spec.audio() instanceof AudioSpec.Generated) {
            f.put("generate_sound", "true");
        }
        if (spec.lora() != null) {
            ObjectNode lora = JSON.createObjectNode().put("name", spec.lora());
            f.put("lora", JSON.writeValueAsString(lora));
        }
        return f;
    }

    /**
     * The first frame of an image-to-video request, sent as the multipart file part {@code input_reference}: the
     * gateway reads the image (an upload from its store, a URL through its SSRF-safe fetcher), so the server never
     * needs to reach the caller's URL.
     */
    record InputFile(String filename, String contentType, byte[] bytes) {

        /** Names the image by its magic bytes (PNG, JPEG, WebP), as the server's image decoder does not care. */
        static InputFile image(byte[] bytes) {
            if (bytes.length >= 8 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G') {
                return new InputFile("input.png", "image/png", bytes);
            }
            if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8 && (bytes[2] & 0xff) == 0xff) {
                return new InputFile("input.jpg", "image/jpeg", bytes);
            }
            if (bytes.length >= 12 && new String(bytes, 0, 4, StandardCharsets.US_ASCII).equals("RIFF")
                    && new String(bytes, 8, 4, StandardCharsets.US_ASCII).equals("WEBP")) {
                return new InputFile("input.webp", "image/webp", bytes);
            }
            return new InputFile("input", "application/octet-stream", bytes);
        }
    }

    /** {@code POST /v1/videos}; {@code image} is the {@code input_reference} file part, or {@code null}. */
    Video create(Map<String, String> form, InputFile image) throws BackendException {
        HttpResponse<byte[]> r = send(multipart("v1/videos", form, image), true);
        return Video.of(json(r));
    }

    /** The blocking variant; the MP4 arrives in the answer. */
    InputStream createSync(Map<String, String> form, InputFile image) throws BackendException {
        String boundary = "----wan-gateway-" + UUID.randomUUID();
        HttpRequest request = request("v1/videos/sync").timeout(Duration.ofHours(1))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(encode(form, image, boundary))).build();
        try {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() / 100 != 2) {
                byte[] body = r.body().readNBytes(4096);
                r.body().close();
                throw failure(r.statusCode(), new String(body, StandardCharsets.UTF_8), true);
            }
            return r.body();
        } catch (IOException e) {
            throw transport(e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(Kind.ACCEPTANCE_UNKNOWN, "interrupted", "interrupted", null, e);
        }
    }

    /** The job, or empty when the server answers 404 (it never had it, or forgot it in a restart). */
    Optional<Video> retrieve(String id) throws BackendException {
        HttpResponse<byte[]> r = sendAllowing404(request("v1/videos/" + id).GET().build());
        return r.statusCode() == 404 ? Optional.empty() : Optional.of(Video.of(json(r)));
    }

    /** The server's recent jobs, newest first ({@code GET /v1/videos}), for reconciliation. */
    List<Video> list() throws BackendException {
        HttpResponse<byte[]> r = send(request("v1/videos?limit=100").GET().build(), false);
        List<Video> out = new ArrayList<>();
        json(r).path("data").forEach(n -> out.add(Video.of(n)));
        return out;
    }

    /** Cancels and deletes; a job the server no longer knows is already gone. */
    void delete(String id) throws BackendException {
        sendAllowing404(request("v1/videos/" + id).DELETE().build());
    }

    InputStream content(String id) throws IOException, BackendException {
        HttpRequest request = request("v1/videos/" + id + "/content").timeout(Duration.ofMinutes(10)).GET().build();
        try {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                byte[] body = r.body().readNBytes(4096);
                r.body().close();
                throw failure(r.statusCode(), new String(body, StandardCharsets.UTF_8), false);
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Accept", "application/json");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private HttpRequest multipart(String path, Map<String, String> form, InputFile image) {
        String boundary = "----wan-gateway-" + UUID.randomUUID();
        return request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(encode(form, image, boundary))).build();
    }

    /** RFC 7578: the form fields as UTF-8 text, then the image (if any) as the file part {@code input_reference}. */
    static byte[] encode(Map<String, String> form, InputFile image, String boundary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        form.forEach((k, v) -> out.writeBytes(("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + k + "\"\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + v + "\r\n").getBytes(StandardCharsets.UTF_8)));
        if (image != null) {
            out.writeBytes(("--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"input_reference\"; filename=\"" + image.filename() + "\"\r\n"
                    + "Content-Type: " + image.contentType() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(image.bytes());
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private HttpResponse<byte[]> sendAllowing404(HttpRequest request) throws BackendException {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 404 || r.statusCode() / 100 == 2) {
                return r;
            }
            throw failure(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8), false);
        } catch (IOException e) {
            throw transport(e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(Kind.UNAVAILABLE, "interrupted", "interrupted", null, e);
        }
    }

    private HttpResponse<byte[]> send(HttpRequest request, boolean creating) throws BackendException {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() / 100 != 2) {
                throw failure(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8), creating);
            }
            return r;
        } catch (IOException e) {
            throw transport(e, creating);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(creating ? Kind.ACCEPTANCE_UNKNOWN : Kind.UNAVAILABLE, "interrupted",
                    "interrupted", null, e);
        }
    }

    private JsonNode json(HttpResponse<byte[]> r) throws BackendException {
        try {
            return JSON.readTree(r.body());
        } catch (RuntimeException e) {
            throw new BackendException(Kind.UNKNOWN, "bad_response", "The remote engine " + name
                    + " answered something that is not JSON.", null, e);
        }
    }

    /** HTTP status to our failure kinds: a 4xx is the request's fault, 429 throttling, 5xx the server's. */
    private BackendException failure(int status, String body, boolean creating) {
        String detail = "The remote engine " + name + " answered " + status + ": "
                + (body.length() > 300 ? body.substring(0, 300) : body);
        if (status == 429) {
            return new BackendException(Kind.THROTTLED, "rate_limited", detail);
        }
        if (status == 401 || status == 403) {
            return new BackendException(Kind.AUTH, "remote_auth", detail);
        }
        if (status == 503) {
            return new BackendException(Kind.UNAVAILABLE, "remote_busy", detail);
        }
        if (status / 100 == 4) {
            return new BackendException(Kind.INVALID_INPUT, "remote_rejected", detail);
        }
        // A 5xx after the request arrived: vLLM-Omni records the job before it answers, so a creation may exist.
        return new BackendException(creating ? Kind.ACCEPTANCE_UNKNOWN : Kind.UNAVAILABLE, "remote_error", detail);
    }

    /** A connection that never opened created nothing; one that broke after sending may have. */
    private BackendException transport(IOException e, boolean creating) {
        boolean notSent = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e.getCause() instanceof ConnectException;
        Kind kind = creating && !notSent ? Kind.ACCEPTANCE_UNKNOWN : Kind.UNAVAILABLE;
        String what = e instanceof HttpTimeoutException ? "did not answer within " + timeout : "is unreachable ("
                + e.getClass().getSimpleName() + ")";
        return new BackendException(kind, "remote_unreachable", "The remote engine " + name + " " + what + ".", null,
                e);
    }
}
