package dev.wanhybrid.gateway.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Downloads and posts to user-supplied URLs under {@link UrlGuard}: redirects are followed by hand, each target
 * re-checked; sizes and total time are limited; no proxy is used, so the address checked is the one connected to.
 */
public final class SafeHttpFetcher {

    private final UrlGuard guard;
    private final NetProperties properties;
    private final HttpClient client;

    public SafeHttpFetcher(UrlGuard guard, NetProperties properties) {
        this.guard = guard;
        this.properties = properties;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(properties.connectTimeout())
                .build();
    }

    /** A downloaded body. */
    public record Fetched(URI finalUri, String contentType, byte[] body) {}

    /** Downloads with the configured size limit. */
    public Fetched get(String param, URI url) throws FetchException {
        return get(param, url, properties.maxDownloadSize().toBytes());
    }

    /**
     * Downloads {@code url}, following at most the configured number of redirects.
     *
     * @throws UnsafeUrlException when the URL or a redirect target may not be contacted
     * @throws FetchException when the download fails, is too large or too slow
     */
    public Fetched get(String param, URI url, long maxBytes) throws FetchException {
        long deadline = System.nanoTime() + properties.fetchTimeout().toNanos();
        URI current = url;
        for (int hop = 0; ; hop++) {
            guard.check(param, current);
            HttpRequest request = HttpRequest.newBuilder(current).GET()
                    .timeout(remaining(param, deadline))
                    .header("Accept", "*/*")
                    .build();
            HttpResponse<InputStream> response = send(param, request, deadline);
            int status = response.statusCode();
            if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
                closeQuietly(response.body());
                if (hop >= properties.maxRedirects()) {
                    throw new UnsafeUrlException(param, "too_many_redirects",
                            "The URL redirects more than " + properties.maxRedirects() + " times.");
                }
                current = current.resolve(response.headers().firstValue("Location").get());
                continue;
            }
            if (status < 200 || status >= 300) {
                closeQuietly(response.body());
                throw new FetchException(param, "http_status", "The URL answered HTTP " + status + ".", null);
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                closeQuietly(response.body());
                throw new FetchException(param, "too_large", "The file at the URL is larger than " + maxBytes
                        + " bytes.", null);
            }
            byte[] body = readAtMost(param, response.body(), maxBytes, deadline);
            return new Fetched(current, response.headers().firstValue("Content-Type").orElse(null), body);
        }
    }

    /**
     * Posts {@code body} once, without following redirects (a webhook receiver that redirects has failed).
     *
     * @return the HTTP status
     * @throws UnsafeUrlException when the URL may not be contacted
     * @throws FetchException on a connection failure or timeout
     */
    public int post(String param, URI url, Map<String, String> headers, byte[] body, Duration timeout)
            throws FetchException {
        guard.check(param, url);
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(timeout);
        headers.forEach(builder::header);
        try {
            return client.send(builder.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.net.http.HttpTimeoutException e) {
            throw new FetchException(param, "timeout", "The receiver did not answer within " + timeout + ".", e);
        } catch (IOException e) {
            throw new FetchException(param, "io", "The receiver could not be reached: " + e.getClass().getSimpleName()
                    + ".", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(param, "io", "Interrupted.", e);
        }
    }

    private HttpResponse<InputStream> send(String param, HttpRequest request, long deadline) throws FetchException {
        CompletableFuture<HttpResponse<InputStream>> future =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        try {
            return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            Duration limit = properties.fetchTimeout();
            throw new FetchException(param, "timeout", "The URL did not answer within "
                    + (limit.toMillis() % 1000 == 0 ? limit.toSeconds() + " s." : limit.toMillis() + " ms."), e);
        } catch (ExecutionException e) {
            throw new FetchException(param, "io", "The URL could not be fetched: "
                    + e.getCause().getClass().getSimpleName() + ".", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(param, "io", "Interrupted.", e);
        }
    }

    private byte[] readAtMost(String param, InputStream in, long maxBytes, long deadline) throws FetchException {
        // The body is read on a virtual thread so a server that trickles bytes cannot outlast the deadline.
        CompletableFuture<byte[]> reading = CompletableFuture.supplyAsync(() -> {
            try (in) {
                var out = new ByteArrayOutputStream();
                byte[] buffer = new byte[16 * 1024];
                long total = 0;
                int n;
                while ((n = in.read(buffer)) != -1) {
                    total += n;
                    if (total > maxBytes) {
                        throw new TooLarge();
                    }
                    out.write(buffer, 0, n);
                }
                return out.toByteArray();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, task -> Thread.ofVirtual().name("safe-fetch").start(task));
        try {
            return reading.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            closeQuietly(in);
            reading.cancel(true);
            throw new FetchException(param, "timeout", "The download took longer than "
                    + properties.fetchTimeout().toSeconds() + " s.", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TooLarge) {
                throw new FetchException(param, "too_large", "The file at the URL is larger than " + maxBytes
                        + " bytes.", null);
            }
            throw new FetchException(param, "io", "The download failed.", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(param, "io", "Interrupted.", e);
        }
    }

    private static Duration remaining(String param, long deadline) throws FetchException {
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
            throw new FetchException(param, "timeout", "The download ran out of time while following redirects.",
                    null);
        }
        return Duration.ofNanos(nanos);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the response is abandoned either way.
        }
    }

    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }
}
