package dev.wanhybrid.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.BudgetProperties;
import dev.wanhybrid.gateway.budget.SpendReports;
import dev.wanhybrid.gateway.budget.SpendTotals;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import dev.wanhybrid.gateway.tenant.TenantDirectory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The ops page in the demo profile, after real videos went through the DashScope simulator: guarded by the admin
 * token, and in headless Chromium it shows the ledger's spend, the breakers and the break-even chart. The screenshot
 * is written to {@code <build dir>/ops-page.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:ops-page;DB_CLOSE_DELAY=-1",
    "gateway.jobs.tick=40ms", "gateway.jobs.poll-min=40ms", "gateway.jobs.poll-max=200ms",
    "gateway.jobs.retry-interval=100ms", "gateway.events.poll-interval=50ms",
    "gateway.cloud.simulator.pending-for=200ms", "gateway.cloud.simulator.running-for=200ms",
})
@ActiveProfiles("demo")
class OpsPageIT {

    private static final String ADMIN_TOKEN = "ops-page-admin-token";
    /** Debian's Chromium; {@code -Dops.chromium=<path>} points elsewhere (or nowhere, to see the skip). */
    private static final Path CHROMIUM = Path.of(System.getProperty("ops.chromium", "/usr/bin/chromium"));
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

    @LocalServerPort
    int port;

    @Autowired
    BudgetCaps caps;

    @Autowired
    SpendReports reports;

    @Autowired
    BudgetProperties budget;

    @Autowired
    Clock clock;

    @Autowired
    io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry breakers;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path results = Files.createTempDirectory("ops-page");
        registry.add("gateway.storage.local.root", results::toString);
        registry.add("gateway.admin.token-sha256", () -> TenantDirectory.sha256Hex(ADMIN_TOKEN));
        for (String tenant : TestBackends.TENANTS) {
            String[] kv = tenant.split("=", 2);
            registry.add(kv[0], () -> kv[1]);
        }
    }

    @Test
    void thePageNeedsTheAdminTokenAndExchangesAQueryTokenForACookie() throws Exception {
        Http anonymous = new Http(port, null);
        Http tenant = new Http(port, TestBackends.ALPHA_KEY);
        Http admin = new Http(port, ADMIN_TOKEN);
        HttpClient noRedirects = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

        Http.Reply none = anonymous.get("/ops");
        Http.Reply tenantKey = tenant.get("/ops");
        Http.Reply chartWithoutToken = anonymous.get("/ops/breakeven.png");
        Http.Reply bearer = admin.get("/ops");
        Http.Reply basic = anonymous.send(anonymous.request("/ops").header("Authorization", "Basic "
                + java.util.Base64.getEncoder().encodeToString(("ops:" + ADMIN_TOKEN).getBytes(StandardCharsets.UTF_8)))
                .build());
        HttpResponse<String> wrongQuery = noRedirects.send(HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/ops?token=nope")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> exchange = noRedirects.send(HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/ops?token=" + ADMIN_TOKEN)).build(),
                HttpResponse.BodyHandlers.ofString());
        String cookie = exchange.headers().firstValue("Set-Cookie").orElseThrow();
        Http.Reply withCookie = anonymous.send(anonymous.request("/ops")
                .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build());

        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).startsWith("Basic realm=");
        assertThat(tenantKey.status()).isEqualTo(401);
        assertThat(chartWithoutToken.status()).isEqualTo(401);
        assertThat(bearer.status()).isEqualTo(200);
        assertThat(bearer.header("Content-Type")).startsWith("text/html");
        assertThat(basic.status()).isEqualTo(200);
        assertThat(wrongQuery.statusCode()).isEqualTo(401);
        assertThat(exchange.statusCode()).isEqualTo(303);
        assertThat(exchange.headers().firstValue("Location")).hasValue("/ops");
        assertThat(cookie).startsWith(OpsCredentialFilter.COOKIE + "=").contains("HttpOnly").contains("SameSite=Strict")
                .contains("Path=/ops");
        assertThat(withCookie.status()).isEqualTo(200);
    }

    @Test
    void aForcedOpenBreakerShowsOnThePage() {
        var local = breakers.circuitBreaker("local");
        local.transitionToForcedOpenState();
        try {
            Http.Reply page = new Http(port, ADMIN_TOKEN).get("/ops");

            assertThat(section(page.body(), "breakers")).contains("class=\"FORCED_OPEN\">FORCED_OPEN<")
                    .contains("class=\"CLOSED\">CLOSED<");
        } finally {
            local.transitionToClosedState();
        }
    }

    @Test
    void chromiumShowsTheLedgersSpendTheBreakersAndTheBreakEvenChart() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "No headless browser at " + CHROMIUM
                + ", so the ops page is not checked in a browser. Install it with: apt-get install -y chromium");
        caps.putCap(new dev.wanhybrid.cost.budget.BudgetCap(dev.wanhybrid.cost.budget.BudgetScope.GLOBAL, null,
                BudgetPeriod.DAY, dev.wanhybrid.cost.Money.usd("25.00")));
        Http alpha = new Http(port, TestBackends.ALPHA_KEY);
        List<String> ids = new ArrayList<>();
        for (String body : List.of(
                "{\"prompt\":\"a fox\",\"size\":\"832x480\",\"seconds\":\"5\",\"routing\":{\"backend\":\"cloud\"}}",
                "{\"prompt\":\"a heron\",\"size\":\"1280x720\",\"seconds\":\"5\",\"routing\":{\"backend\":\"cloud\"}}")) {
            Http.Reply created = alpha.postJson("/v1/videos", body);
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            ids.add(created.json().path("id").asString());
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> ids.stream().allMatch(id -> TERMINAL.contains(alpha.get("/v1/videos/" + id).json()
                        .path("status").asString())));
        ZoneId zone = budget.timeZone();
        var now = clock.instant();
        List<SpendTotals> today = reports.totals(BudgetPeriod.DAY.start(now, zone), BudgetPeriod.DAY.end(now, zone), null);
        BigDecimal total = today.stream().map(SpendTotals::actualUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal cloud = today.stream().filter(t -> t.backend().equals("cloud")).map(SpendTotals::actualUsd)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        Http.Reply breakEven = alpha.get("/v1/cost/breakeven");
        var dayCap = caps.allStatus().stream().filter(b -> b.cap().scope() == dev.wanhybrid.cost.budget.BudgetScope.GLOBAL
                && b.cap().period() == BudgetPeriod.DAY).findFirst().orElseThrow();

        Path buildDir = Path.of(System.getProperty("build.dir.name", "target")).toAbsolutePath();
        Files.createDirectories(buildDir);
        Path screenshot = buildDir.resolve("ops-page.png");
        Files.deleteIfExists(screenshot);
        String url = "http://127.0.0.1:" + port + "/ops?token=" + ADMIN_TOKEN;
        String dom = chromium("--dump-dom", url);
        chromium("--screenshot=" + screenshot, url);

        assertThat(total).isPositive();
        assertThat(dom).contains("Wan Hybrid Gateway: ops").contains("demo output");
        assertThat(section(dom, "spend-today")).contains(OpsPage.usd(total))
                .contains("data-backend=\"cloud\"").contains(OpsPage.usd(cloud));
        assertThat(section(dom, "spend-month")).contains(OpsPage.usd(total));
        assertThat(dayCap.remainingUsd()).isEqualByComparingTo(new BigDecimal("25.00").subtract(total));
        assertThat(section(dom, "budgets")).contains("$25.00")
                .contains("class=\"num remaining\">" + OpsPage.usd(dayCap.remainingUsd()) + "<");
        assertThat(section(dom, "breakers")).contains("data-backend=\"cloud\"").contains("data-backend=\"local\"")
                .contains("CLOSED").contains("ready");
        assertThat(section(dom, "routing")).contains("<td>cloud</td>")
                // Hedging is on by default, and nothing has made the hedge guard pause it here.
                .contains("id=\"hedging\" class=\"on\">on<");
        assertThat(section(dom, "breakeven")).contains(String.format(java.util.Locale.US, "%,d",
                breakEven.json().get("breakeven_videos_per_month").decimalValue()
                        .setScale(0, java.math.RoundingMode.HALF_UP).longValue()))
                .contains("id=\"observed-volume\">" + reports.videosLast30Days() + "<")
                .contains("src=\"/ops/breakeven.png\"");
        var chart = new Http(port, ADMIN_TOKEN).getBytes("/ops/breakeven.png", null);
        var image = ImageIO.read(new ByteArrayInputStream(chart.body()));
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(600);
        assertThat(screenshot).exists();
        var shot = ImageIO.read(screenshot.toFile());
        assertThat(shot.getWidth()).isEqualTo(1280);
    }

    private static String section(String dom, String id) {
        int start = dom.indexOf("id=\"" + id + "\"");
        assertThat(start).as("section " + id + " in the page").isNotNegative();
        int end = dom.indexOf("</section>", start);
        return dom.substring(start, end);
    }

    /** Runs headless Chromium on a fresh profile with everything that calls out switched off; returns stdout. */
    private static String chromium(String action, String url) throws Exception {
        Path profile = Files.createTempDirectory("ops-chromium");
        Path out = Files.createTempFile("ops-chromium", ".out");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--window-size=1280,1600", action, url)
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium " + action + " did not finish in 90 s");
        }
        assertThat(p.exitValue()).as("chromium " + action + " exit status").isZero();
        return Files.readString(out);
    }
}
