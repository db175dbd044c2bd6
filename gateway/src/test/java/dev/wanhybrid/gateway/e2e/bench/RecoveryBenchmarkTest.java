package dev.wanhybrid.gateway.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecoveryBenchmarkTest {

    @Test
    void aRunReplacesOnlyItsOwnSection() {
        String doc = "# Title\n\nintro\n" + RecoveryBenchmark.START + "\nold figures\n" + RecoveryBenchmark.END
                + "\n\n## Harness-size runs\n\nkept\n";

        String updated = RecoveryBenchmark.withSection(doc, "new figures\n");

        assertThat(updated).isEqualTo("# Title\n\nintro\n" + RecoveryBenchmark.START + "\nnew figures\n"
                + RecoveryBenchmark.END + "\n\n## Harness-size runs\n\nkept\n");
    }

    @Test
    void aDocumentWithoutASectionGetsOneAtTheEnd() {
        assertThat(RecoveryBenchmark.withSection("", "figures\n")).startsWith("# Recovery under kill -9")
                .endsWith(RecoveryBenchmark.START + "\nfigures\n" + RecoveryBenchmark.END + "\n");
        assertThat(RecoveryBenchmark.withSection("# Mine\n", "figures\n"))
                .isEqualTo("# Mine\n\n" + RecoveryBenchmark.START + "\nfigures\n" + RecoveryBenchmark.END + "\n");
    }
}
