package dev.wanhybrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rendered alerting rules, checked and unit-tested by promtool, and tied to their runbook sections. */
class PrometheusRulesTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @TempDir
    Path work;

    @Test
    void renderedRulesPassPromtoolCheckInEveryVariant() throws Exception {
        // The KEDA variant adds a queue condition to the no-worker alert; cloud-only drops the local alerts.
        List<RenderedChart> variants = List.of(
                ChartRenderer.render("servicemonitor"),
                ChartRenderer.renderWithOverrides("keda", """
                        extraApiVersions: [keda.sh/v1alpha1, monitoring.coreos.com/v1]
                        metrics: {prometheusRule: {enabled: true}}
                        """),
                ChartRenderer.renderWithOverrides("cloud-only", """
                        extraApiVersions: [monitoring.coreos.com/v1]
                        metrics: {prometheusRule: {enabled: true}}
                        """));
        for (RenderedChart chart : variants) {
            Path rules = writeRules(chart, work.resolve("rules-" + variants.indexOf(chart) + ".yaml"));

            Promtool.Result check = Promtool.run(work, "check", "rules", rules.toString());

            assertThat(check.exitCode()).as(check.output()).isZero();
            assertThat(check.output()).contains("SUCCESS");
        }
    }

    @Test
    void alertsFireAsTheRunbookDescribes() throws Exception {
        Promtool.Result result = unitTest(ChartRenderer.render("servicemonitor"), "alerts-test.yaml");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void withWorkersScaledToZeroTheNoWorkerAlertWaitsForQueuedJobs() throws Exception {
        RenderedChart chart = ChartRenderer.renderWithOverrides("keda", """
                extraApiVersions: [keda.sh/v1alpha1, monitoring.coreos.com/v1]
                metrics: {prometheusRule: {enabled: true}}
                """);

        Promtool.Result result = unitTest(chart, "alerts-scale-to-zero-test.yaml");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    /** Runs one promtool test file from src/test/resources/promtool against the chart's rendered rules. */
    private Promtool.Result unitTest(RenderedChart chart, String testFile) throws Exception {
        writeRules(chart, work.resolve("rules.yaml"));
        Path tests = work.resolve(testFile);
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/promtool/" + testFile))) {
            Files.copy(in, tests);
        }
        return Promtool.run(work, "test", "rules", tests.toString());
    }

    @Test
    void everyAlertLinksARunbookSectionThatExists() throws IOException {
        String operations = Files.readString(Path.of("..", "docs", "operations.md"));
        List<Rule> alerts = alerts(ChartRenderer.render("servicemonitor"));

        assertThat(alerts).extracting(Rule::getAlert).containsExactlyInAnyOrder(
                "WanGatewayCloudBudgetBurnRateHigh", "WanGatewayBudgetNearlyExhausted", "WanGatewaySpendAnomaly",
                "WanGatewayBreakerOpen", "WanGatewayVirtualThreadsStalled", "WanGatewayLocalQueueWaitAboveSlo",
                "WanGatewayNoReadyGpuWorker");
        for (Rule alert : alerts) {
            assertThat(alert.getAnnotations().get("runbook_url"))
                    .isEqualTo("docs/operations.md#" + alert.getAlert().toLowerCase());
            assertThat(operations).as("runbook heading for " + alert.getAlert())
                    .containsPattern("(?m)^#+ " + alert.getAlert() + "$");
        }
    }

    private static List<Rule> alerts(RenderedChart chart) {
        return chart.all(PrometheusRule.class).getFirst().getSpec().getGroups().stream()
                .flatMap(g -> g.getRules().stream())
                .toList();
    }

    /** Writes the PrometheusRule's spec, which is exactly a Prometheus rules file ({@code groups: [...]}). */
    private static Path writeRules(RenderedChart chart, Path file) throws IOException {
        List<PrometheusRule> rules = chart.all(PrometheusRule.class);
        assertThat(rules).as("a PrometheusRule in %s", chart.names()).hasSize(1);
        Files.writeString(file, SERIALIZATION.asYaml(rules.getFirst().getSpec()));
        return file;
    }
}
