package dev.wanhybrid.gateway.storage.s3;

import dev.wanhybrid.gateway.e2e.support.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.util.unit.DataSize;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Adobe's S3Mock, a real S3-compatible HTTP server, started from its executable jar in a child JVM on a loopback
 * port. A child JVM, as S3Mock's authors advise, because S3Mock is itself a Spring Boot application: in this JVM
 * it would read the gateway's application.yaml and auto-configuration, and this module's tests would read its.
 */
final class S3MockServer implements AutoCloseable {

    static final String ACCESS_KEY = "test-access-key";
    static final String SECRET_KEY = "test-secret-key";

    private final Process process;
    private final URI endpoint;
    private final Path root;
    private final Path log;

    private S3MockServer(Process process, URI endpoint, Path root, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.root = root;
        this.log = log;
    }

    static S3MockServer start() throws IOException, InterruptedException {
        Path jar = executableJar();
        Path root = Files.createTempDirectory("s3mock-root");
        Path log = Files.createTempFile("s3mock", ".log");
        int httpPort = freePort();
        int httpsPort = freePort();
        List<String> command = ChildJvm.command("384m");
        command.addAll(List.of("-jar", jar.toString(),
                "--http.port=" + httpPort,
                "--server.port=" + httpsPort,
                "--server.address=127.0.0.1",
                "--com.adobe.testing.s3mock.store.root=" + root,
                "--com.adobe.testing.s3mock.max-payload-size=64MB",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        // Never outlive the test JVM, even when it exits without running the tests' cleanup.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "s3mock-reaper"));
        S3MockServer server = new S3MockServer(process, URI.create("http://127.0.0.1:" + httpPort), root, log);
        server.awaitReady(Duration.ofSeconds(120));
        return server;
    }

    URI endpoint() {
        return endpoint;
    }

    /** A client built by the gateway's own configuration for this server: path-style, static keys. */
    S3Client client() {
        return S3StorageConfiguration.client(properties());
    }

    /** A presigner built by the gateway's own configuration for this server. */
    software.amazon.awssdk.services.s3.presigner.S3Presigner presigner() {
        return S3StorageConfiguration.presigner(properties());
    }

    private S3StorageProperties properties() {
        return new S3StorageProperties(endpoint, "unused", "us-east-1", true, "",
                DataSize.ofMegabytes(8), ACCESS_KEY, SECRET_KEY, 8, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        try (S3Client client = client()) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("S3Mock exited with " + process.exitValue() + ":\n" + Files.readString(log));
                }
                try {
                    client.listBuckets();
                    return;
                } catch (SdkClientException notYetListening) {
                    if (Instant.now().isAfter(deadline)) {
                        close();
                        throw new IllegalStateException("S3Mock did not answer within " + timeout + ":\n" + Files.readString(log));
                    }
                    Thread.sleep(250);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(log);
    }

    /** S3Mock's executable jar, which the build puts on the test classpath (classifier exec). */
    private static Path executableJar() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of)
                .filter(p -> p.getFileName().toString().matches("s3mock-.*-exec\\.jar"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "com.adobe.testing:s3mock:exec is not on the test classpath; see gateway/pom.xml"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
