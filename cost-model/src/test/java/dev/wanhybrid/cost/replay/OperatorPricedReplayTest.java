package dev.wanhybrid.cost.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.config.CostConfig;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped operator example (config/replay-wan3-operator.yaml with operator-prices-example.yaml over the
 * international list) on the shipped 30-day trace: the replay's {@code router} sends every job with sound to the
 * cheapest capable model at the account's prices, wan3.0-video where the operator's price beats every list price
 * and Wan 2.7 image-to-video once its contract price starts; without the account file the config is refused.
 */
class OperatorPricedReplayTest {

    private static final Path CONFIG = Path.of("config/replay-wan3-operator.yaml");
    private static final Path TRACE = Path.of("traces/wan-30d.csv");
    private static final LocalDate CONTRACT_STARTS = LocalDate.parse("2026-10-16");

    /** What the router chose for a job, and the cloud option it was offered. */
    private record Choice(ReplayPolicy.Decision decision, ReplayCatalog.CloudOption cloud) {}

    /**
     * The cheapest capable cloud model for a job of the trace and its price per second, worked out by hand from
     * the list (dashscope-international.yaml) and the operator's file: wan3.0-video at $0.04/$0.08/$0.12 makes
     * every length, sound or not; the list's cheap silent models make 5 s (wan2.1-i2v-turbo 3-5 s), wan2.5 preview
     * 5 and 10 s ($0.05 at 480P), wan2.6/2.7 2-15 s from 720P, wan2.6-i2v-flash $0.05/$0.075 with sound and
     * $0.025/$0.0375 without; wan2.7-i2v costs $0.045/$0.07 from 2026-10-16 (the operator's contract).
     */
    private static Map.Entry<String, String> cheapestCapable(TraceJob job) {
        Tier tier = Tier.ofSize(job.width(), job.height());
        boolean contract = !job.arrival().atZone(ZoneOffset.UTC).toLocalDate().isBefore(CONTRACT_STARTS);
        boolean five = job.seconds() == 5;
        Map.Entry<String, String> wan3 = Map.entry("wan3.0-video", switch (tier) {
            case P480 -> "0.04";
            case P720 -> "0.08";
            default -> "0.12";
        });
        if (job.kind().equals("t2v")) {
            if (job.audio() || !five) {
                return wan3;        // every list price with sound, or at 3 and 10 s, is above the operator's
            }
            return switch (tier) {
                case P480 -> Map.entry("wan2.2-t2v-plus", "0.02");
                case P720 -> Map.entry("wan2.1-t2v-turbo", "0.036");
                default -> Map.entry("wan2.2-t2v-plus", "0.10");
            };
        }
        if (tier == Tier.P480) {
            if (job.audio() || job.seconds() > 5) {
                return wan3;        // wan2.5-i2v-preview's $0.05 is the list's only other 480P price with sound
            }
            return five ? Map.entry("wan2.2-i2v-plus", "0.02") : Map.entry("wan2.1-i2v-turbo", "0.036");
        }
        boolean hd = tier == Tier.P720;
        if (!job.audio()) {
            return Map.entry("wan2.6-i2v-flash", hd ? "0.025" : "0.0375");
        }
        if (contract) {
            return Map.entry("wan2.7-i2v", hd ? "0.045" : "0.07");
        }
        return Map.entry("wan2.6-i2v-flash", hd ? "0.05" : "0.075");
    }

    @Test
    void theRouterSendsSoundToTheOperatorPricedModelWhereItIsTheCheapestCapableOne() throws Exception {
        ReplayConfig cfg = ReplayConfig.load(CONFIG);
        List<TraceJob> trace = Trace.read(TRACE);
        Map<TraceJob, Choice> choices = new IdentityHashMap<>();
        RouterPolicy router = new RouterPolicy();
        ReplayPolicy recording = new ReplayPolicy() {
            @Override
            public Decision decide(TraceJob job, View view) {
                Decision d = router.decide(job, view);
                choices.put(job, new Choice(d, view.cloud().orElse(null)));
                return d;
            }

            @Override
            public boolean readsLocalWait() {
                return router.readsLocalWait();
            }

            @Override
            public String name() {
                return router.name();
            }
        };

        ReplayOutcome routed = new ReplaySimulator(cfg.catalog(), cfg.cost().fleet().count(), cfg.seed(),
                cfg.noiseSigma(), cfg.cost().billingZone()).run(trace, recording);

        assertThat(routed.strategy()).isEqualTo("router");
        assertThat(choices).hasSize(trace.size());
        Map<String, Integer> withSoundByModel = new java.util.TreeMap<>();
        int silentOnCloud = 0;
        for (TraceJob job : trace) {
            Choice c = choices.get(job);
            assertThat(job.seconds()).as("the hand-worked table knows 3, 5 and 10 s").isIn(3, 5, 10);
            if (job.audio()) {
                assertThat(c.decision().backend()).as("%s", job).isEqualTo("cloud");
                withSoundByModel.merge(c.decision().model(), 1, Integer::sum);
            }
            if (c.decision().backend().equals("cloud")) {
                silentOnCloud += job.audio() ? 0 : 1;
                Map.Entry<String, String> expected = cheapestCapable(job);
                assertThat(c.decision().model()).as("%s", job).isEqualTo(expected.getKey());
                assertThat(c.cloud().price()).as("%s", job).isEqualTo(Money.of(
                        new BigDecimal(expected.getValue()).multiply(BigDecimal.valueOf(job.seconds())), Money.USD));
            }
        }
        assertThat(silentOnCloud).isGreaterThan(1000);
        // The trace holds every case, so none of the above passed for want of jobs.
        assertThat(withSoundByModel.get("wan3.0-video")).isGreaterThan(1000);
        assertThat(withSoundByModel.get("wan2.7-i2v")).isGreaterThan(100);
        assertThat(withSoundByModel.get("wan2.6-i2v-flash")).isGreaterThan(100);
        assertThat(withSoundByModel.keySet()).containsExactly("wan2.6-i2v-flash", "wan2.7-i2v", "wan3.0-video");
    }

    @Test
    void theWholeReplayRunsAndSaysWhichPricesItUsed(@TempDir Path out) throws Exception {
        ReplayConfig cfg = ReplayConfig.load(CONFIG);
        List<TraceJob> trace = Trace.read(TRACE).stream()
                .filter(j -> j.arrival().isBefore(java.time.Instant.parse("2026-10-03T00:00:00Z"))).toList();

        ReplayReport report = Replay.run(cfg, trace);
        String md = Replay.write(cfg, trace, report, out, "wan-30d.csv");

        assertThat(report.routed().strategy()).isEqualTo("router");
        assertThat(report.bound().totalCost()).isLessThanOrEqualTo(report.routed().total());
        assertThat(md).contains("the DashScope international list prices, with the account prices in "
                + "operator-prices-example.yaml over them");
    }

    @Test
    void withoutTheAccountFileTheConfigIsRefusedNamingTheModel(@TempDir Path dir) throws Exception {
        String config = Files.readString(CONFIG).replace("account_prices: operator-prices-example.yaml\n", "");
        assertThat(config).doesNotContain("account_prices:");
        Files.writeString(dir.resolve("replay.yaml"), config);

        assertThatThrownBy(() -> ReplayConfig.load(dir.resolve("replay.yaml")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cloud_models[")
                .hasMessageContaining("'wan3.0-video' has no price in the price list")
                .hasMessageContaining("account_prices");
    }

    @Test
    void aMissingWrongOrMisplacedAccountFileIsRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        String config = Files.readString(CONFIG);
        Files.writeString(dir.resolve("missing.yaml"), config);
        Files.writeString(dir.resolve("cny.yaml"), config.replace("operator-prices-example.yaml", "cny-prices.yaml"));
        Files.writeString(dir.resolve("cny-prices.yaml"), """
                currency: CNY
                prices:
                  - { model: wan3.0-video, audio: any, effective_from: 2026-08-01, per_second: { 720P: "0.5" } }
                """);
        Files.writeString(dir.resolve("bad.yaml"), config.replace("operator-prices-example.yaml", "bad-prices.yaml"));
        Files.writeString(dir.resolve("bad-prices.yaml"), """
                currency: USD
                prices:
                  - { model: wan3.0-video, audio: any, effective_from: 2026-08-01, per_second: { 720P: "ten cents" } }
                """);
        Files.writeString(dir.resolve("misplaced.yaml"), config.replace("account_prices: operator-prices-example.yaml\n", "")
                .replace("replay:\n", "replay:\n  account_prices: " + CONFIG.toAbsolutePath().resolveSibling(
                        "operator-prices-example.yaml") + "\n"));

        assertThatThrownBy(() -> ReplayConfig.load(dir.resolve("missing.yaml")))
                .hasMessageContaining("missing.yaml.account_prices: no such file")
                .hasMessageContaining("operator-prices-example.yaml");
        assertThatThrownBy(() -> ReplayConfig.load(dir.resolve("cny.yaml")))
                .hasMessageContaining("cny.yaml.account_prices")
                .hasMessageContaining("the account's prices are in CNY, the list they override is in USD");
        assertThatThrownBy(() -> ReplayConfig.load(dir.resolve("bad.yaml")))
                .hasMessageContaining("bad.yaml.account_prices")
                .hasMessageContaining("prices[0].per_second.720P");
        assertThatThrownBy(() -> ReplayConfig.load(dir.resolve("misplaced.yaml")))
                .hasMessageContaining("misplaced.yaml.replay.account_prices belongs at the top of the file");
    }

    @Test
    void aModelOfAKindNoTraceHoldsIsRefused(@TempDir Path dir) throws Exception {
        String config = Files.readString(CONFIG).replace("account_prices: operator-prices-example.yaml\n",
                "account_prices: " + CONFIG.toAbsolutePath().resolveSibling("operator-prices-example.yaml") + "\n")
                .replace("  cloud_models:\n", "  cloud_models:\n    - { model: wan2.7-r2v, kind: r2v, seconds: [5] }\n");
        Files.writeString(dir.resolve("r2v.yaml"), config);

        assertThatThrownBy(() -> ReplayConfig.load(dir.resolve("r2v.yaml")))
                .hasMessageContaining("r2v.yaml.replay.cloud_models[0].kind must be one of [i2v, t2v]")
                .hasMessageContaining("was 'r2v'");
        assertThat(CostConfig.load(CONFIG).pricesSource()).contains("operator-prices-example.yaml");
    }
}
