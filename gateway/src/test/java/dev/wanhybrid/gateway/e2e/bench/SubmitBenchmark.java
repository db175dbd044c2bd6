package dev.wanhybrid.gateway.e2e.bench;

import dev.wanhybrid.gateway.GatewayApplication;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Durable submit throughput and latency against a bare endpoint in the same JVM. Not a test: it asserts nothing,
 * prints its figures and writes them to a Markdown file.
 *
 * <p>Both endpoints sit behind the same filters (API-key authentication, per-tenant rate limit) and read the same
 * JSON body. The bare one answers at once; {@code POST /v1/videos} parses and validates, routes with the real
 * router (the cloud backend pointed at the in-process DashScope simulator, so a candidate is ready), reserves with
 * the real SQL spend ledger and commits the job and its first event, once to the embedded H2 file store
 * ({@code WRITE_DELAY=0}, so every commit is on disk) and once to an embedded PostgreSQL. The dispatcher is off,
 * so only submission is measured.
 *
 * <p>Run (on the JDK 25 toolchain, so {@code exec:exec}, not {@code exec:java}): {@code ./mvnw -pl gateway
 * test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test '-Dexec.args=-classpath %classpath
 * dev.wanhybrid.gateway.e2e.bench.SubmitBenchmark ../docs/benchmarks/submit-in-process.md 2000'}.
 */
public final class SubmitBenchmark {

    static final String BODY = "{\"prompt\": \"a lighthouse in a storm, waves crashing\", \"model\": "
            + "\"wan2.5-t2v-preview\", \"seconds\": \"5\", \"size\": \"832x480\"}";

    private SubmitBenchmark() {}

    record Result(String endpoint, int clients, int requests, double seconds, long errors, double[] latenciesMs) {

        double throughput() {
            return requests / seconds;
        }

        double percentile(double p) {
            double[] sorted = latenciesMs.clone();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/submit-benchmark.md");
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        List<Result> results = new ArrayList<>();
        Path work = Files.createTempDirectory("submit-bench");
        results.addAll(measure("H2 file", "jdbc:h2:file:" + work.resolve("db/gateway") + ";WRITE_DELAY=0", null,
                work, requests));
        String postgresSettings;
        try (EmbeddedPostgres postgres = DurablePostgres.start()) {
            postgresSettings = DurablePostgres.settings(postgres.getPostgresDatabase());
            results.addAll(measure("PostgreSQL 14", postgres.getJdbcUrl("postgres", "postgres"), "postgres", work,
                    requests));
        }
        String report = report(results, requests, postgresSettings);
        System.out.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println("written to " + out.toAbsolutePath());
    }

    static List<Result> measure(String database, String url, String user, Path work, int requests) throws Exception {
        List<String> appArgs = new ArrayList<>(List.of("--server.port=0",
                "--spring.datasource.url=" + url,
                "--gateway.storage.local.root=" + work.resolve("results"),
                "--gateway.cloud.simulator.enabled=true",
                "--gateway.jobs.dispatcher-enabled=false",
                "--gateway.tenants[0].rate-limit.limit=1000000",
                "--logging.level.root=WARN", "--spring.main.banner-mode=off"));
        if (user != null) {
            appArgs.add("--spring.datasource.username=" + user);
            appArgs.add("--spring.datasource.password=");
        }
        for (String tenant : TestBackends.TENANTS) {
            if (!tenant.startsWith("gateway.tenants[0].rate-limit")) {
                appArgs.add("--" + tenant);
            }
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .initializers(new BareEndpoints())
                .run(appArgs.toArray(String[]::new));
        List<Result> results = new ArrayList<>();
        try {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + port;
            // Warm up both paths (JIT, connection pools, database caches) before measuring.
            run(client, base + "/v1/bench/bare", "bare", 8, 500);
            run(client, base + "/v1/videos", "durable", 8, 500);
            for (int clients : new int[] {1, 8, 32}) {
                results.add(run(client, base + "/v1/bench/bare", "bare (" + database + " context)", clients, requests));
                results.add(run(client, base + "/v1/videos", "durable submit, " + database, clients, requests));
            }
        } finally {
            context.close();
        }
        return results;
    }

    static Result run(HttpClient client, String url, String name, int clients, int requests) throws Exception {
        double[] latencies = new double[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + TestBackends.ALPHA_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < requests) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() != 200) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException | InterruptedException e) {
                            errors.incrementAndGet();
                        }
                        latencies[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(name, clients, requests, seconds, errors.get(), latencies);
    }

    static String report(List<Result> results, int requests, String postgresSettings) {
        StringBuilder md = new StringBuilder();
        md.append("# Submit benchmark: durable `POST /v1/videos` vs a bare endpoint\n\n");
        md.append("Written by `dev.wanhybrid.gateway.e2e.bench.SubmitBenchmark` (gateway test sources) on ")
                .append(Instant.now()).append(".\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs visible to the JVM, ")
                .append("Java ").append(Runtime.version()).append(", ").append(System.getProperty("os.name"))
                .append(" ").append(System.getProperty("os.arch")).append(". ")
                .append("Client and server share the JVM and the CPUs; ").append(requests)
                .append(" requests per row after a warm-up of 500 per endpoint.\n\n");
        md.append("Both endpoints pass the same filters (API key, per-tenant rate limit) and read the same JSON body. ")
                .append("The durable path also validates, routes (real router, cloud candidate ready via the ")
                .append("in-process DashScope simulator), reserves the estimate in the SQL spend ledger and commits ")
                .append("the job row and its first event: to the embedded H2 file store with `WRITE_DELAY=0`, or to ")
                .append("an embedded PostgreSQL 14 (zonky's binaries, commits durable: `").append(postgresSettings)
                .append("`) on the same machine. ")
                .append("The dispatcher is off.\n\n");
        md.append("| endpoint | clients | requests/s | p50 ms | p99 ms | max ms | errors |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %d |%n", r.endpoint(),
                    r.clients(), r.throughput(), r.percentile(50), r.percentile(99), r.percentile(100), r.errors()));
        }
        md.append("\nFigures from a shared, busy build machine: compare rows with each other, and runs only on the ")
                .append("same machine.\n");
        return md.toString();
    }
}
