package dev.wanhybrid.gateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class SafeHttpFetcherTest {

    private HttpServer server;
    private SafeHttpFetcher fetcher;
    private String base;

    @BeforeEach
    void startLoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        int port = server.getAddress().getPort();
        base = "http://127.0.0.1:" + port;
        server.createContext("/cat.png", ex -> respond(ex, 200, new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
        server.createContext("/big", ex -> respond(ex, 200, new byte[64 * 1024]));
        server.createContext("/to-metadata", ex -> redirect(ex, "http://169.254.169.254/latest/meta-data/"));
        server.createContext("/to-other-port", ex -> redirect(ex, "http://127.0.0.1:" + (port + 1) + "/x"));
        server.createContext("/to-cat", ex -> redirect(ex, "/cat.png"));
        server.createContext("/loop", ex -> redirect(ex, "/loop"));
        server.createContext("/missing", ex -> respond(ex, 404, new byte[0]));
        server.createContext("/slow", ex -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(ex, 200, new byte[1]);
        });
        server.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            respond(ex, 204, null);
        });
        server.start();
        // Loopback is admitted only because the test names this exact host and port.
        // 3 s for a whole fetch: the slow server (5 s) runs out of it, a redirect chain on a loaded machine does not.
        var props = new NetProperties(List.of("127.0.0.1:" + port), List.of(), Duration.ofSeconds(2),
                Duration.ofSeconds(3), 3, DataSize.ofKilobytes(16));
        fetcher = new SafeHttpFetcher(new UrlGuard(props, HostResolver.SYSTEM), props);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body == null || body.length == 0 ? -1 : body.length);
        if (body != null && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    private static void redirect(com.sun.net.httpserver.HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        respond(ex, 302, null);
    }

    @Test
    void downloadsFromAnAllowListedHost() throws Exception {
        SafeHttpFetcher.Fetched f = fetcher.get("input_reference.image_url", URI.create(base + "/cat.png"));

        assertThat(f.body()).hasSize(4);
    }

    @Test
    void followsARedirectThatStaysOnAnAdmittedHost() throws Exception {
        assertThat(fetcher.get("input_reference.image_url", URI.create(base + "/to-cat")).finalUri().getPath())
                .isEqualTo("/cat.png");
    }

    @Test
    void redirectToTheMetadataServiceIsRefused() {
        UnsafeUrlException e = catchThrowableOfType(UnsafeUrlException.class,
                () -> fetcher.get("input_reference.image_url", URI.create(base + "/to-metadata")));

        assertThat(e.param()).isEqualTo("input_reference.image_url");
        assertThat(e.reason()).isEqualTo("blocked_address");
    }

    @Test
    void redirectToALoopbackPortOffTheAllowListIsRefused() {
        assertThat(catchThrowableOfType(UnsafeUrlException.class,
                () -> fetcher.get("audio.url", URI.create(base + "/to-other-port"))).reason())
                .isEqualTo("blocked_address");
    }

    @Test
    void redirectLoopsStopAtTheLimit() {
        assertThat(catchThrowableOfType(UnsafeUrlException.class,
                () -> fetcher.get("audio.url", URI.create(base + "/loop"))).reason())
                .isEqualTo("too_many_redirects");
    }

    @Test
    void oversizedBodiesAreRefused() {
        assertThat(catchThrowableOfType(FetchException.class,
                () -> fetcher.get("input_reference.image_url", URI.create(base + "/big"))).reason())
                .isEqualTo("too_large");
    }

    @Test
    void slowServersRunOutOfTime() {
        assertThat(catchThrowableOfType(FetchException.class,
                () -> fetcher.get("input_reference.image_url", URI.create(base + "/slow"))).reason())
                .isEqualTo("timeout");
    }

    @Test
    void errorStatusesFail() {
        assertThat(catchThrowableOfType(FetchException.class,
                () -> fetcher.get("input_reference.image_url", URI.create(base + "/missing"))).getMessage())
                .contains("404");
    }

    @Test
    void postsToAnAdmittedReceiverAndRefusesOthers() throws Exception {
        assertThat(fetcher.post("webhook_url", URI.create(base + "/hook"), Map.of("Content-Type", "application/json"),
                "{}".getBytes(), Duration.ofSeconds(2))).isEqualTo(204);
        assertThat(catchThrowableOfType(UnsafeUrlException.class, () -> fetcher.post("webhook_url",
                URI.create("http://10.0.0.1/hook"), Map.of(), new byte[0], Duration.ofSeconds(1)))).isNotNull();
    }
}
