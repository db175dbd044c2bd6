package dev.wanhybrid.gateway.e2e.support;

import dev.wanhybrid.cloud.simulator.SimulatorMain;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.price.CloudPriceTable;
import dev.wanhybrid.cost.price.DashScopePriceList;
import dev.wanhybrid.cost.price.PriceTableLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Drives the real executable under faults: the gateway's executable jar as a child process (on an H2 file or a
 * PostgreSQL database), the DashScope simulator as another child process, faults injected through the simulator's
 * {@code POST /sim/faults}, and {@code kill -9} of the gateway at random moments while jobs are in flight.
 *
 * <p>{@link #run} submits jobs in waves, kills and restarts the gateway between waves (one wave runs in a slow
 * cloud whose answers come after the gateway's request timeout, one in a short outage, one in a 429 storm), then
 * waits for every acknowledged job to finish and returns what it counted, for the caller to assert or print.
 */
public final class FaultInjectionHarness implements AutoCloseable {

    static final String SIM_KEY = "sk-harness-simulator";
    static final String SCRAPE_TOKEN = "harness-scrape-token";
    static final String MODEL = "wan2.5-t2v-preview";
    /** A JVM start took up to 112 s on the shared 2-core build machine under load. */
    static final Duration STARTUP = Duration.ofMinutes(5);

    private final Path work;
    private final String jar;
    private final List<String> database;
    private final Random random;
    private final int gatewayPort;
    private Process simulator;
    private Process gateway;
    private int starts;
    private int simulatorPort;
    /** The simulator's control API ({@code /sim/faults}, {@code /sim/stats}). */
    private Http sim;
    /** Its DashScope API, as the provider's own records. */
    private Http simApi;

    /**
     * @param database the gateway's datasource arguments
     * @param seed the random kill points and prompts
     */
    public FaultInjectionHarness(Path work, List<String> database, long seed) throws IOException {
        this.work = work;
        this.jar = System.getProperty("gateway.executable-jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property gateway.executable-jar (set by failsafe after package) "
                    + "names no jar: " + jar);
        }
        this.database = List.copyOf(database);
        this.random = new Random(seed);
        this.gatewayPort = freePort();
    }

    /**
     * What a run saw.
     *
     * @param createTimeouts creates the gateway did not answer within the client's 30 s while it was up (not a
     *     kill): a gateway that went silent. Such a create may still have created a job, which then runs and is
     *     billed like any other without being in {@code acknowledged}.
     * @param completedInGateway jobs the gateway lists as completed, acknowledged or not: each must have bound
     *     exactly one task, so this, not {@code completed}, is what the simulator's submissions are compared with
     */
    public record Outcome(int acknowledged, int refusedAtCreation, int completed, Map<String, Integer> failedByCode,
            int unfinished, int kills, long simulatorSubmissions, int boundTasks, BigDecimal simulatorBilledUsd,
            BigDecimal ledgerUsd, BigDecimal reservedUsd, String cloudBreaker, long recoverySeconds,
            long cloudSlotsHeld, int createTimeouts, int completedInGateway) {}

    /**
     * @param waves how many waves of jobs (the gateway is killed after each but the last)
     * @param jobsPerWave jobs created per wave
     * @param bound how long after the last restart every acknowledged job must be finished
     */
    public Outcome run(int waves, int jobsPerWave, Duration bound) throws Exception {
        startSimulator();
        startGateway();
        Http api = new Http(gatewayPort, TestBackends.ALPHA_KEY);
        List<String> acknowledged = new ArrayList<>();
        int refused = 0;
        int createTimeouts = 0;
        int kills = 0;
        for (int wave = 0; wave < waves; wave++) {
            String fault = wave % 4 == 1 ? "{\"latency_ms\":1600}" : wave % 4 == 2 ? "{\"outage_seconds\":3}"
                    : wave % 4 == 3 ? "{\"throttle\":true,\"retry_after_seconds\":1}" : null;
            if (fault != null) {
                sim.postJson("/sim/faults", fault);
            }
            for (int i = 0; i < jobsPerWave; i++) {
                int n = wave * jobsPerWave + i;
                // Every fourth job repeats one prompt: identical purchases must still bind one task each.
                String prompt = n % 4 == 0 ? "a paper boat on a river" : "harness clip " + n;
                try {
                    Http.Reply reply = api.postJson("/v1/videos", "{\"prompt\":\"" + prompt + "\",\"model\":\"" + MODEL
                            + "\",\"size\":\"832x480\",\"seconds\":\"5\",\"routing\":{\"backend\":\"cloud\"}}");
                    if (reply.status() == 200) {
                        acknowledged.add(reply.json().path("id").asString());
                    } else if (reply.status() == 503) {
                        refused++; // breaker open during a fault: refused, nothing acknowledged, nothing billed
                    } else {
                        throw new AssertionError("creation answered " + reply.status() + ": " + reply.body());
                    }
                } catch (UncheckedIOException killedMidRequest) {
                    refused++;
                    if (killedMidRequest.getCause() instanceof java.net.http.HttpTimeoutException) {
                        createTimeouts++;
                        // Not a kill: the gateway did not answer a create for 30 s. Its threads say why.
                        ChildJvm.dumpThreads(gateway, work.resolve("threads-create-" + starts + "-" + n + ".txt"),
                                killedMidRequest);
                    }
                }
            }
            if (wave < waves - 1) {
                Thread.sleep(300 + random.nextInt(3000));
                killGateway();
                kills++;
                if (fault != null) {
                    sim.postJson("/sim/faults", "{\"clear\":true}");
                }
                startGateway();
            } else if (fault != null) {
                Thread.sleep(2000);
                sim.postJson("/sim/faults", "{\"clear\":true}");
            }
        }
        long restartedAt = System.nanoTime();
        long deadline = restartedAt + bound.toNanos();
        Map<String, String> status = new LinkedHashMap<>();
        while (System.nanoTime() < deadline) {
            status.clear();
            for (String id : acknowledged) {
                status.put(id, statusOf(api, id));
            }
            if (status.values().stream().allMatch(s -> s.equals("completed") || s.equals("failed")
                    || s.equals("cancelled"))) {
                break;
            }
            Thread.sleep(1000);
        }
        long recovery = Duration.ofNanos(System.nanoTime() - restartedAt).toSeconds();
        int completed = 0;
        int unfinished = 0;
        Map<String, Integer> failed = new LinkedHashMap<>();
        List<String> tasks = new ArrayList<>();
        for (String id : acknowledged) {
            JsonNode video = api.get("/v1/videos/" + id).json();
            switch (video.path("status").asString()) {
                case "completed" -> completed++;
                case "failed", "cancelled" -> failed.merge(video.at("/error/code").asString(), 1, Integer::sum);
                default -> unfinished++;
            }
        }
        BigDecimal billed = simulatorBilling(tasks);
        // The ledger settles as jobs finish; orphans and cancelled-but-billed tasks are recorded by the billing
        // reconciler's rounds, so the comparison waits for its next round.
        JsonNode summary = summary();
        long ledgerDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (summary.at("/month/total_usd").decimalValue().compareTo(billed) != 0
                && System.nanoTime() < ledgerDeadline) {
            Thread.sleep(1000);
            summary = summary();
        }
        String breaker = breakerState();
        long breakerDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"closed".equals(breaker) && System.nanoTime() < breakerDeadline) {
            Thread.sleep(500);
            breaker = breakerState();
        }
        long submissions = sim.get("/sim/stats").json().path("submissions").asLong();
        return new Outcome(acknowledged.size(), refused, completed, failed, unfinished, kills, submissions,
                tasks.size(), billed, summary.at("/month/total_usd").decimalValue(),
                summary.path("reserved_usd").decimalValue(), breaker, recovery, cloudSlotsHeld(), createTimeouts,
                completedInGateway(api));
    }

    /** Every job of the harness's tenant that the gateway lists as completed, acknowledged at creation or not. */
    private static int completedInGateway(Http api) {
        int completed = 0;
        String after = null;
        while (true) {
            JsonNode page = api.get("/v1/videos?limit=100" + (after == null ? "" : "&after=" + after)).json();
            for (JsonNode video : page.path("data")) {
                if ("completed".equals(video.path("status").asString())) {
                    completed++;
                }
            }
            if (!page.path("has_more").asBoolean() || page.path("data").isEmpty()) {
                return completed;
            }
            after = page.path("last_id").asString();
        }
    }

    /**
     * A job's status; when the gateway does not answer in time, its threads are dumped next to its log first
     * ({@code jcmd Thread.print}), so that a hang can be diagnosed from the test's work folder.
     */
    private String statusOf(Http api, String id) {
        try {
            return api.get("/v1/videos/" + id).json().path("status").asString();
        } catch (UncheckedIOException e) {
            Path dump = ChildJvm.dumpThreads(gateway, work.resolve("threads-gateway-" + starts + ".txt"), e);
            throw new UncheckedIOException("the gateway did not answer for " + id + "; its threads: " + dump,
                    e.getCause());
        }
    }

    /** Every SUCCEEDED task in the simulator's own list, priced at the published list price. */
    private BigDecimal simulatorBilling(List<String> taskIds) throws InterruptedException {
        CloudPriceTable prices = PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL);
        BigDecimal clip = prices.costOf(VideoJob.of(MODEL, 832, 480, 5, false), LocalDate.now(ZoneOffset.UTC))
                .orElseThrow().amount();
        BigDecimal total = BigDecimal.ZERO;
        for (int page = 1; ; page++) {
            JsonNode list = simApi.get("/tasks?page_no=" + page + "&page_size=100").json();
            for (JsonNode item : list.path("data")) {
                if ("SUCCEEDED".equals(item.path("status").asString())) {
                    taskIds.add(item.path("task_id").asString());
                    total = total.add(clip);
                }
            }
            if (page >= list.path("total_page").asInt()) {
                return total;
            }
        }
    }

    private JsonNode summary() {
        return new Http(gatewayPort, TestBackends.ALPHA_KEY).get("/v1/cost/summary").json();
    }

    /** DashScope task slots the last gateway process holds, summed over models (its own gauge). */
    private long cloudSlotsHeld() {
        String metrics = new Http(gatewayPort, SCRAPE_TOKEN).get("/actuator/prometheus").body();
        double held = 0;
        boolean seen = false;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("gateway_cloud_tasks_in_flight{")) {
                held += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                seen = true;
            }
        }
        return seen ? Math.round(held) : -1;
    }

    private String breakerState() {
        String metrics = new Http(gatewayPort, SCRAPE_TOKEN).get("/actuator/prometheus").body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("resilience4j_circuitbreaker_state{") && line.contains("name=\"cloud\"")
                    && line.trim().endsWith(" 1.0")) {
                int at = line.indexOf("state=\"") + 7;
                return line.substring(at, line.indexOf('"', at));
            }
        }
        return "unknown";
    }

    private void startSimulator() throws IOException {
        int port = freePort();
        List<String> command = ChildJvm.command("256m");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SimulatorMain.class.getName(),
                String.valueOf(port), SIM_KEY));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(work.resolve("simulator.log").toFile());
        builder.environment().put("SIM_PENDING", "PT1S");
        builder.environment().put("SIM_RUNNING", "PT3S");
        simulator = builder.start();
        simulatorPort = port;
        simApi = new Http("http://127.0.0.1:" + port + "/api/v1", SIM_KEY);
        sim = new Http(port, null);
        awaitUp(simulator, "simulator.log", () -> sim.get("/sim/stats").status() == 200);
    }

    private void startGateway() throws IOException {
        starts++;
        String simBase = "http://127.0.0.1:" + simulatorPort + "/api/v1";
        List<String> command = ChildJvm.command("512m");
        command.addAll(List.of("-jar", jar,
                "--server.port=" + gatewayPort,
                "--gateway.storage.local.root=" + work.resolve("results"),
                "--gateway.cloud.base-url=" + simBase,
                "--gateway.cloud.api-key=" + SIM_KEY,
                "--gateway.cloud.request-timeout=1s", "--gateway.cloud.reconcile-after=15s",
                "--gateway.cloud.permit-wait=500ms",
                "--gateway.jobs.instance-id=harness", "--gateway.jobs.lease-ttl=3s", "--gateway.jobs.tick=100ms",
                "--gateway.jobs.poll-min=300ms", "--gateway.jobs.poll-max=1s", "--gateway.jobs.retry-interval=300ms",
                "--gateway.jobs.reconcile-interval=500ms",
                // Longer than a restart (a JVM start takes up to ~110 s here) plus a task's run: the deadline runs on
                // wall time from the submission, across the downtime.
                "--gateway.jobs.reconcile-deadline=5m",
                "--gateway.resilience.probe-interval=500ms",
                "--resilience4j.circuitbreaker.instances.cloud.wait-duration-in-open-state=2s",
                "--resilience4j.circuitbreaker.instances.cloud.enable-exponential-backoff=false",
                "--gateway.billing.reconcile-interval=3s", "--gateway.billing.orphan-after=70s",
                "--gateway.budget.admin-tenants=alpha",
                "--gateway.admin.scrape-token-sha256=" + sha256(SCRAPE_TOKEN),
                "--spring.main.banner-mode=off"));
        command.addAll(database);
        for (String tenant : TestBackends.TENANTS) {
            command.add("--" + tenant);
        }
        String log = "gateway-" + starts + ".log";
        gateway = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve(log).toFile())
                .start();
        Http anonymous = new Http(gatewayPort, null);
        awaitUp(gateway, log, () -> anonymous.get("/actuator/health/liveness").status() == 200);
    }

    /** {@code kill -9}: no shutdown hook, no flush, leases and in-memory permits die with it. */
    private void killGateway() throws InterruptedException {
        gateway.destroyForcibly();
        if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the gateway survived SIGKILL");
        }
    }

    private void awaitUp(Process process, String log, java.util.function.BooleanSupplier up) throws IOException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(log + ": exited: " + Files.readString(work.resolve(log)));
            }
            try {
                if (up.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // connection refused while starting
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(log + " did not come up in " + STARTUP);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : new Process[] {gateway, simulator}) {
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
