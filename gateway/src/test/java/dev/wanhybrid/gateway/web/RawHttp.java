package dev.wanhybrid.gateway.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client will send: a request line that is not a
 * valid URI, headers beyond the server's limit, a body far larger than it will read (streamed, never held here).
 */
final class RawHttp {

    /** An answer: status, headers (lower-case names) and body text. */
    record Answer(int status, Map<String, String> headers, String body) {}

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** Headers with a bearer key first, then name/value pairs; mutable, in order. */
    static Map<String, String> bearer(String key, String... nameValuePairs) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + key);
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            headers.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return headers;
    }

    Answer send(String method, String target, Map<String, String> headers) throws IOException {
        return send(method, target, headers, null);
    }

    /**
     * @param body writes the body; the server may answer and close before it is done, which is not an error here
     */
    Answer send(String method, String target, Map<String, String> headers, Consumer<OutputStream> body)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread writer = null;
            if (body != null) {
                writer = Thread.ofVirtual().start(() -> body.accept(out));
            }
            Answer answer = read(socket.getInputStream());
            if (writer != null) {
                socket.shutdownOutput();
                writer.interrupt();
            }
            return answer;
        }
    }

    /** Streams {@code total} bytes of {@code fill} after {@code prefix}, stopping quietly when the peer closes. */
    static Consumer<OutputStream> streamed(String prefix, long total, byte fill, AtomicLong written) {
        return out -> {
            try {
                byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
                out.write(start);
                written.addAndGet(start.length);
                byte[] block = new byte[64 * 1024];
                java.util.Arrays.fill(block, fill);
                long left = total - start.length;
                while (left > 0) {
                    int n = (int) Math.min(block.length, left);
                    out.write(block, 0, n);
                    written.addAndGet(n);
                    left -= n;
                }
                out.flush();
            } catch (IOException e) {
                // The server answered and closed the connection before the body was done: that is the point.
            }
        };
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        try {
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
                int end = headerEnd(all.toByteArray());
                if (end >= 0 && complete(all.toByteArray(), end)) {
                    break;
                }
            }
        } catch (java.net.SocketException e) {
            // a reset after the answer was sent
        }
        String text = all.toString(StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            throw new IOException("no complete answer: " + text);
        }
        String[] lines = text.substring(0, split).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(split + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Answer(status, headers, body);
    }

    private static int headerEnd(byte[] bytes) {
        for (int i = 0; i + 3 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    private static boolean complete(byte[] bytes, int bodyStart) {
        String head = new String(bytes, 0, bodyStart, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int at = head.indexOf("content-length:");
        if (at >= 0) {
            int end = head.indexOf("\r\n", at);
            long length = Long.parseLong(head.substring(at + 15, end).trim());
            return bytes.length - bodyStart >= length;
        }
        if (head.contains("transfer-encoding: chunked")) {
            return new String(bytes, bodyStart, bytes.length - bodyStart, StandardCharsets.ISO_8859_1)
                    .endsWith("0\r\n\r\n");
        }
        return false;
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (pos < body.length()) {
            int eol = body.indexOf("\r\n", pos);
            int size = Integer.parseInt(body.substring(pos, eol).trim(), 16);
            if (size == 0) {
                break;
            }
            // Sizes count bytes; the bodies here are ASCII JSON, so characters and bytes agree.
            out.append(body, eol + 2, eol + 2 + size);
            pos = eol + 2 + size + 2;
        }
        return out.toString();
    }
}
