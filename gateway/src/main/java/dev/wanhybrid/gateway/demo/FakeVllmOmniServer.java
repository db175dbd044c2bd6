package dev.wanhybrid.gateway.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for a vLLM-Omni video server on loopback, for the {@code demo} profile and tests; its videos are demo
 * output. It speaks the protocol as vLLM-Omni's code defines it: multipart {@code POST /v1/videos} (the form fields
 * checked as its pydantic model checks them; the image of image-to-video as the file part {@code input_reference}
 * or the JSON field {@code image_reference}, not both), {@code GET /v1/videos/{id}} with {@code queued}, {@code in_progress},
 * {@code completed} or {@code failed}, {@code GET /v1/videos} (list), {@code GET /v1/videos/{id}/content} (the MP4;
 * 409 before completion), {@code DELETE /v1/videos/{id}} (cancel and delete) and the blocking
 * {@code POST /v1/videos/sync}; unknown ids answer 404.
 *
 * <p>Like one diffusion worker, it runs one job at a time in arrival order: each job's service time is
 * {@code secondsPerStepFrame * num_inference_steps * num_frames}, so state follows from the clock. The MP4s are the
 * real H.264 files the DashScope simulator serves (with an AAC track when {@code generate_sound} is set).
 * {@link #stop()} makes it vanish mid-job; {@link #restart()} brings it back on the same port with no memory of its
 * jobs, as a restarted vLLM-Omni process has.
 */
public final class FakeVllmOmniServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MP4_DIR = "/dev/wanhybrid/cloud/simulator/";

    private final Set<String> models;
    private final double secondsPerStepFrame;
    private final String apiKey;
    private final byte[] silentMp4 = resource("silent.mp4");
    private final byte[] audioMp4 = resource("with-audio.mp4");
    private final Map<String, Job> jobs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Map<String, String>> creations = Collections.synchronizedList(new ArrayList<>());
    private final List<Map<String, byte[]>> creationFiles = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger deletions = new AtomicInteger();
    private volatile HttpServer server;
    private volatile int port;
    private long lastFinishNanos;

    private static final class Job {
        final String id = "video_gen_" + UUID.randomUUID().toString().replace("-", "");
        final String model;
        final String prompt;
        final int width;
        final int height;
        final int seconds;
        final boolean sound;
        final long createdAt = System.currentTimeMillis() / 1000;
        volatile long startNanos;
        volatile long endNanos;
        volatile boolean cancelled;

        Job(String model, String prompt, int width, int height, int seconds, boolean sound, long startNanos,
                long endNanos) {
            this.model = model;
            this.prompt = prompt;
            this.width = width;
            this.height = height;
            this.seconds = seconds;
            this.sound = sound;
            this.startNanos = startNanos;
            this.endNanos = endNanos;
        }

        String status(long now) {
            return cancelled ? "failed" : now < startNanos ? "queued" : now < endNanos ? "in_progress" : "completed";
        }
    }

    /**
     * @param models the model names it serves ({@code model} must be one of them when given)
     * @param secondsPerStepFrame service time per denoising step per frame
     * @param apiKey the bearer token it requires, or {@code null} for none
     */
    public FakeVllmOmniServer(Set<String> models, double secondsPerStepFrame, String apiKey) {
        this.models = Set.copyOf(models);
        this.secondsPerStepFrame = secondsPerStepFrame;
        this.apiKey = apiKey;
    }

    public FakeVllmOmniServer start() {
        return listen(0);
    }

    private synchronized FakeVllmOmniServer listen(int onPort) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            s.createContext("/v1/videos", this::handle);
            s.start();
            server = s;
            port = s.getAddress().getPort();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Stops answering at once, as a crashed server does: connections are refused from now on. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Starts again on the same port, with no jobs: a restarted process forgets everything it held in memory. */
    public synchronized void restart() {
        stop();
        jobs.clear();
        lastFinishNanos = 0;
        listen(port);
    }

    /** Every accepted creation's text fields, in order. */
    public List<Map<String, String>> creations() {
        return List.copyOf(creations);
    }

    /** Every accepted creation's file parts ({@code input_reference}) by field name, in the order of {@link #creations()}. */
    public List<Map<String, byte[]>> creationFiles() {
        return List.copyOf(creationFiles);
    }

    public int deletions() {
        return deletions.get();
    }

    /** Jobs not yet completed or cancelled. */
    public long unfinished() {
        long now = System.nanoTime();
        synchronized (jobs) {
            return jobs.values().stream().filter(j -> !j.status(now).equals("completed") && !j.cancelled).count();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (apiKey != null && !("Bearer " + apiKey).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                error(ex, 401, "Unauthorized");
                return;
            }
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            String[] parts = path.replaceAll("/+$", "").split("/");
            if (parts.length == 3 && method.equals("POST")) {
                create(ex, false);
            } else if (parts.length == 4 && parts[3].equals("sync") && method.equals("POST")) {
                create(ex, true);
            } else if (parts.length == 3 && method.equals("GET")) {
                list(ex);
            } else if (parts.length == 4 && method.equals("GET")) {
                retrieve(ex, parts[3]);
            } else if (parts.length == 5 && parts[4].equals("content") && method.equals("GET")) {
                content(ex, parts[3]);
            } else if (parts.length == 4 && method.equals("DELETE")) {
                delete(ex, parts[3]);
            } else {
                error(ex, 404, "Not Found");
            }
        } catch (RuntimeException e) {
            error(ex, 500, "Internal Server Error");
        }
    }

    private void create(HttpExchange ex, boolean sync) throws IOException {
        String type = Objects.requireNonNullElse(ex.getRequestHeaders().getFirst("Content-Type"), "");
        if (!type.toLowerCase().startsWith("multipart/form-data")) {
            error(ex, 422, "Expected multipart/form-data");
            return;
        }
        Multipart.Form parsed;
        try {
            parsed = Multipart.parse(ex.getRequestBody().readNBytes(16 << 20), type);
        } catch (IllegalArgumentException e) {
            error(ex, 400, e.getMessage());
            return;
        }
        Map<String, String> form = parsed.fields();
        if (parsed.files().containsKey("input_reference") && form.containsKey("image_reference")) {
            // As vLLM-Omni's create route answers.
            error(ex, 400, "Provide either input_reference or image_reference, not both.");
            return;
        }
        if (form.containsKey("input_reference")) {
            error(ex, 422, "input_reference: Expected UploadFile, received: <class 'str'>");
            return;
        }
        String problem = validate(form);
        if (problem != null) {
            error(ex, 422, problem);
            return;
        }
        int width = Integer.parseInt(form.get("width"));
        int height = Integer.parseInt(form.get("height"));
        int fps = form.containsKey("fps") ? Integer.parseInt(form.get("fps")) : 24;
        int frames = form.containsKey("num_frames") ? Integer.parseInt(form.get("num_frames"))
                : Integer.parseInt(form.getOrDefault("seconds", "4")) * fps;
        int steps = Integer.parseInt(form.getOrDefault("num_inference_steps", "50"));
        long service = (long) (secondsPerStepFrame * steps * frames * 1e9);
        Job job;
        synchronized (this) {
            long now = System.nanoTime();
            long start = Math.max(now, lastFinishNanos);
            lastFinishNanos = start + service;
            job = new Job(form.getOrDefault("model", models.iterator().next()), form.get("prompt"), width, height,
                    Math.max(1, frames / fps), "true".equalsIgnoreCase(form.get("generate_sound")), start,
                    lastFinishNanos);
        }
        synchronized (creations) {
            creations.add(form);
            creationFiles.add(parsed.files());
        }
        if (sync) {
            try {
                Thread.sleep(Duration.ofNanos(Math.max(0, job.endNanos - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            send(ex, 200, "video/mp4", job.sound ? audioMp4 : silentMp4);
            return;
        }
        jobs.put(job.id, job);
        json(ex, 200, view(job));
    }

    /** The checks vLLM-Omni's {@code VideoGenerationRequest} model makes on the fields we send. */
    private String validate(Map<String, String> form) {
        if (form.get("prompt") == null || form.get("prompt").isEmpty()) {
            return "prompt: Field required";
        }
        if (form.containsKey("model") && !models.contains(form.get("model"))) {
            return "model: '" + form.get("model") + "' is not served here";
        }
        for (String f : List.of("width", "height", "num_frames", "fps", "num_inference_steps")) {
            if (form.containsKey(f)) {
                try {
                    int v = Integer.parseInt(form.get(f));
                    if (v < 1 || (f.equals("num_inference_steps") && v > 200)) {
                        return f + ": out of range";
                    }
                } catch (NumberFormatException e) {
                    return f + ": Input should be a valid integer";
                }
            }
        }
        if (!form.containsKey("width") || !form.containsKey("height")) {
            return "width/height: required by this server";
        }
        if (form.containsKey("guidance_scale")) {
            double g = Double.parseDouble(form.get("guidance_scale"));
            if (g < 0 || g > 20) {
                return "guidance_scale: out of range";
            }
        }
        for (String f : List.of("lora", "extra_params", "image_reference")) {
            if (form.containsKey(f)) {
                try {
                    if (!JSON.readTree(form.get(f)).isObject()) {
                        return f + ": must be a JSON object";
                    }
                } catch (RuntimeException e) {
                    return f + ": invalid JSON";
                }
            }
        }
        if (form.containsKey("seed")) {
            try {
                Long.parseLong(form.get("seed"));
            } catch (NumberFormatException e) {
                return "seed: Input should be a valid integer";
            }
        }
        return null;
    }

    private ObjectNode view(Job job) {
        long now = System.nanoTime();
        String status = job.status(now);
        ObjectNode n = JSON.createObjectNode()
                .put("id", job.id).put("object", "video").put("model", job.model).put("prompt", job.prompt)
                .put("status", status).put("size", job.width + "x" + job.height)
                .put("seconds", Integer.toString(job.seconds)).put("quality", "default")
                .put("created_at", job.createdAt).put("media_type", "video/mp4");
        int progress = switch (status) {
            case "completed" -> 100;
            case "in_progress" -> (int) (100.0 * (now - job.startNanos) / Math.max(1, job.endNanos - job.startNanos));
            default -> 0;
        };
        n.put("progress", Math.min(progress, 99 + (status.equals("completed") ? 1 : 0)));
        if (status.equals("completed")) {
            n.put("completed_at", job.createdAt + (job.endNanos - job.startNanos) / 1_000_000_000L);
            n.put("inference_time_s", (job.endNanos - job.startNanos) / 1e9);
            n.put("file_name", job.id + ".mp4");
        }
        if (job.cancelled) {
            n.putObject("error").put("code", "video_generation_cancelled").put("message",
                    "Video generation was cancelled.");
        }
        return n;
    }

    private void list(HttpExchange ex) throws IOException {
        ObjectNode out = JSON.createObjectNode().put("object", "list");
        var data = out.putArray("data");
        List<Job> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        Collections.reverse(all);
        all.forEach(j -> data.add(view(j)));
        out.put("first_id", all.isEmpty() ? null : all.getFirst().id);
        out.put("last_id", all.isEmpty() ? null : all.getLast().id);
        out.put("has_more", false);
        json(ex, 200, out);
    }

    private void retrieve(HttpExchange ex, String id) throws IOException {
        Job job = jobs.get(id);
        if (job == null) {
            error(ex, 404, "Video not found");
            return;
        }
        json(ex, 200, view(job));
    }

    private void content(HttpExchange ex, String id) throws IOException {
        Job job = jobs.get(id);
        if (job == null) {
            error(ex, 404, "Video '" + id + "' not found");
            return;
        }
        String status = job.status(System.nanoTime());
        if (!status.equals("completed")) {
            error(ex, 409, "Video '" + id + "' is " + status + ", content not available");
            return;
        }
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + id + ".mp4\"");
        send(ex, 200, "video/mp4", job.sound ? audioMp4 : silentMp4);
    }

    private void delete(HttpExchange ex, String id) throws IOException {
        Job job = jobs.remove(id);
        if (job == null) {
            error(ex, 404, "Video not found");
            return;
        }
        long now = System.nanoTime();
        job.cancelled = !job.status(now).equals("completed");
        if (job.cancelled) {
            synchronized (this) {
                // The worker is free again: every job queued behind the cancelled one moves up by its remaining time.
                long freed = job.endNanos - Math.max(now, job.startNanos);
                synchronized (jobs) {
                    for (Job later : jobs.values()) {
                        if (later.startNanos >= job.endNanos) {
                            later.startNanos -= freed;
                            later.endNanos -= freed;
                        }
                    }
                }
                lastFinishNanos = Math.max(now, lastFinishNanos - freed);
            }
        }
        deletions.incrementAndGet();
        json(ex, 200, JSON.createObjectNode().put("id", id).put("object", "video.deleted").put("deleted", true));
    }

    private static void error(HttpExchange ex, int status, String detail) throws IOException {
        json(ex, status, JSON.createObjectNode().put("detail", detail));
    }

    private static void json(HttpExchange ex, int status, ObjectNode body) throws IOException {
        send(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = FakeVllmOmniServer.class.getResourceAsStream(MP4_DIR + name)) {
            return Objects.requireNonNull(in, "missing MP4 resource " + name).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code multipart/form-data} (RFC 7578): text fields as UTF-8 strings, file parts as their bytes. */
    static final class Multipart {

        /** The parts without a {@code filename} (text) and those with one (files), by field name. */
        record Form(Map<String, String> fields, Map<String, byte[]> files) {}

        static Form parse(byte[] body, String contentType) {
            String boundary = null;
            for (String p : contentType.split(";")) {
                String t = p.trim();
                if (t.toLowerCase().startsWith("boundary=")) {
                    boundary = t.substring(9).replace("\"", "");
                }
            }
            if (boundary == null || boundary.isEmpty()) {
                throw new IllegalArgumentException("multipart body without a boundary");
            }
            byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            Map<String, String> fields = new LinkedHashMap<>();
            Map<String, byte[]> files = new LinkedHashMap<>();
            int pos = indexOf(body, delimiter, 0);
            if (pos < 0) {
                throw new IllegalArgumentException("multipart body does not start with its boundary");
            }
            while (true) {
                int after = pos + delimiter.length;
                if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
                    return new Form(fields, files);
                }
                int headersStart = after + 2;
                int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
                int next = indexOf(body, delimiter, headersStart);
                if (headersEnd < 0 || next < 0 || headersEnd > next) {
                    throw new IllegalArgumentException("malformed multipart part");
                }
                String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
                String name = null;
                boolean file = false;
                for (String line : headers.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-disposition:")) {
                        for (String attr : line.split(";")) {
                            String a = attr.trim();
                            if (a.startsWith("name=")) {
                                name = a.substring(5).replace("\"", "");
                            } else if (a.startsWith("filename=")) {
                                file = true;
                            }
                        }
                    }
                }
                int valueEnd = next - 2; // the CRLF before the delimiter
                if (name == null || valueEnd < headersEnd + 4) {
                    throw new IllegalArgumentException("malformed multipart part");
                }
                if (file) {
                    files.put(name, java.util.Arrays.copyOfRange(body, headersEnd + 4, valueEnd));
                } else {
                    fields.put(name, new String(body, headersEnd + 4, valueEnd - headersEnd - 4,
                            StandardCharsets.UTF_8));
                }
                pos = next;
            }
        }

        private static int indexOf(byte[] haystack, byte[] needle, int from) {
            outer:
            for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (haystack[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
