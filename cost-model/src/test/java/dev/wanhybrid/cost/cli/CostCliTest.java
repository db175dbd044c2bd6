package dev.wanhybrid.cost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CostCliTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = CostCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void breakEvenFromTheLowConfigReproducesTheQuotedFigures() {
        Run run = run("breakeven", "--config", "config/breakeven-low.yaml", "--date", "2026-11-22");

        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains("| Fixed per year, hardware: 2 x 20000 USD over 3 years | 13333.33 USD |")
                .contains("| Fixed per year, idle power: 2 x 400 W around the clock at 0.12 USD/kWh | 840.96 USD |")
                .contains("| Fixed per year, cooling: PUE 1.3 on the idle power | 252.29 USD |")
                .contains("| Fixed per year, staff | 150000.00 USD |")
                .contains("| Fixed per year, overhead | 6000.00 USD |")
                .contains("| Fleet fixed cost per year | 170426.58 USD |")
                .contains("| API price per video | 0.10 USD |")
                .contains("| Break-even volume per year | 1,704,266 |")
                .contains("| Break-even volume per day | 4,670 |")
                // 240 s on an RTX 4090 / 1.4 for an A100: 171 GPU-seconds, 24,528 videos a month on two at 0.8.
                .contains("| GPU-seconds per reference video (throughput model) | 171 |")
                .contains("| Fleet capacity per month (at 0.8 utilization) | 24,528 |")
                .contains("| Capacity check: break-even reachable with this fleet | no |")
                .contains("| API cost at observed volume, per month | 5000.00 USD |")
                .contains("Recommendation: STAY_ON_API");
    }

    @Test
    void breakEvenFromTheHighConfigReproducesTheQuotedFigures() {
        Run run = run("breakeven", "--config", "config/breakeven-high.yaml", "--date", "2026-11-22");

        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains("| Fixed per year, hardware: 8 x 20000 USD over 3 years | 53333.33 USD |")
                .contains("| Fixed per year, staff | 150000.00 USD |")
                .contains("| Fleet fixed cost per year | 219706.33 USD |")
                .contains("| Break-even volume per year | 2,197,064 |")
                .contains("| Break-even volume per day | 6,020 |")
                .contains("| Fleet capacity per month (at 0.8 utilization) | 98,112 |")
                .contains("| Capacity check: break-even reachable with this fleet | no |");
    }

    @Test
    void wan22Ti2v5bIsALocalReferenceModelAt720p() {
        Run run = run("breakeven", "--config", "config/breakeven-ti2v-5b.yaml", "--date", "2026-11-22");

        assertThat(run.exit()).isZero();
        // 540 s on an RTX 4090 (Wan 2.2 README) / 1.4 for an A100; against 5 s of wan2.1-t2v-turbo 720P at $0.036.
        assertThat(run.out())
                .contains("| Reference video | wan2.1-t2v-turbo vs local wan2.2-ti2v-5b, 1280x704, 5 s |")
                .contains("| GPU-seconds per reference video (throughput model) | 386 |")
                .contains("| API price per video | 0.180 USD |")
                .contains("| Break-even volume per year | 1,220,591 |")
                .contains("| Fleet capacity per month (at 0.8 utilization) | 43,605 |");
    }

    @Test
    void aMissingConfigIsOneLineNamingTheFile() {
        Run run = run("breakeven", "--config", "config/nope.yaml");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("nope.yaml").doesNotContain("\tat ");
    }

    @Test
    void estimateShowsBothBackends() {
        Run run = run("estimate", "--config", "config/breakeven-low.yaml", "--cloud-model", "wan2.2-t2v-plus");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("cloud wan2.2-t2v-plus: 0.10 USD").contains("local wan2.1-t2v-1.3b: 171 GPU-s on a100");
    }

    @Test
    void aPricesFileReplacesTheBundledList(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("mine.yaml"), """
                currency: USD
                effective_from: 2026-01-01
                prices:
                  - { model: wan2.2-t2v-plus, audio: silent, per_second: { 480P: "0.03" } }
                """);
        String low = java.nio.file.Files.readString(java.nio.file.Path.of("config/breakeven-low.yaml"));
        java.nio.file.Files.writeString(dir.resolve("cost.yaml"), "prices_file: mine.yaml\n" + low);

        Run run = run("estimate", "--config", dir.resolve("cost.yaml").toString(), "--cloud-model", "wan2.2-t2v-plus");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("cloud wan2.2-t2v-plus: 0.15 USD");
    }

    @Test
    void replayTakesAnAccountPriceFileAndRefusesAnUnpricedModelInOneLine(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        // The shipped trace's first day.
        java.util.List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("traces/wan-30d.csv"));
        java.nio.file.Files.write(dir.resolve("day.csv"), lines.stream()
                .filter(l -> l.startsWith("arrival") || l.startsWith("2026-10-01")).toList());
        String config = java.nio.file.Files.readString(java.nio.file.Path.of("config/replay-wan3-operator.yaml"));
        java.nio.file.Files.writeString(dir.resolve("no-account.yaml"),
                config.replace("account_prices: operator-prices-example.yaml\n", ""));

        Run priced = run("replay", "--config", "config/replay-wan3-operator.yaml", "--trace",
                dir.resolve("day.csv").toString(), "--json", dir.resolve("out.json").toString());
        Run refused = run("replay", "--config", dir.resolve("no-account.yaml").toString(), "--trace",
                dir.resolve("day.csv").toString(), "--json", dir.resolve("refused.json").toString());

        assertThat(priced.exit()).isZero();
        assertThat(priced.out()).contains("| router |");
        assertThat(java.nio.file.Files.readString(dir.resolve("out.json"))).contains("{\"name\": \"router\", ");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("'wan3.0-video' has no price in the price list").doesNotContain("\tat ");
        assertThat(dir.resolve("refused.json")).doesNotExist();
    }
}
