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
                .contains("| Fixed per year, hardware: 8 x 25000 USD over 4 years | 50000.00 USD |")
                .contains("| Fixed per year, idle power: 8 x 700 W around the clock at 0.10 USD/kWh | 4905.60 USD |")
                .contains("| Fixed per year, cooling: PUE 1.25 on the idle power | 1226.40 USD |")
                .contains("| Fixed per year, staff | 90000.00 USD |")
                .contains("| Fixed per year, overhead | 23868.00 USD |")
                .contains("| Fleet fixed cost per year | 170000.00 USD |")
                .contains("| Capacity check: break-even reachable with this fleet |")
                .contains("| API price per video | 0.10 USD |")
                .contains("| Break-even volume per year | 1,700,000 |")
                .contains("| Break-even volume per day | 4,658 |")
                .contains("| API cost at observed volume, per month | 5000.00 USD |")
                .contains("Recommendation: STAY_ON_API");
    }

    @Test
    void breakEvenFromTheHighConfigReproducesTheQuotedFigures() {
        Run run = run("breakeven", "--config", "config/breakeven-high.yaml", "--date", "2026-11-22");

        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains("| Fleet fixed cost per year | 220000.00 USD |")
                .contains("| Break-even volume per year | 2,200,000 |")
                .contains("| Break-even volume per day | 6,028 |");
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
        assertThat(run.out()).contains("cloud wan2.2-t2v-plus: 0.10 USD").contains("local wan2.1-t2v-1.3b: 96 GPU-s on h100");
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
}
