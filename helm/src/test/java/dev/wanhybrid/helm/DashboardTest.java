package dev.wanhybrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard: valid, complete for issue 5, and built only on the metric names of docs/metrics.md. */
class DashboardTest {

    private static final Path DASHBOARD = ChartRenderer.CHART.resolve("dashboards/wan-gateway.json");
    private static final Path METRICS_CONTRACT = Path.of("..", "docs", "metrics.md");
    private static final Pattern METRIC = Pattern.compile("\\b(?:gateway|resilience4j)_[a-z0-9_]+\\b");

    @Test
    void everyPanelQueriesPrometheusThroughTheDataSourceVariable() throws IOException {
        for (JsonNode panel : panels()) {
            assertThat(panel.path("title").asText()).isNotBlank();
            assertThat(panel.path("description").asText()).as(panel.path("title").asText()).isNotBlank();
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).isNotBlank();
            }
        }
    }

    @Test
    void panelsDoNotOverlapOnTheGrid() throws IOException {
        List<JsonNode> all = new ArrayList<>(panels());
        all.addAll(rows());
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                JsonNode a = all.get(i).path("gridPos");
                JsonNode b = all.get(j).path("gridPos");
                boolean apart = a.path("x").asInt() + a.path("w").asInt() <= b.path("x").asInt()
                        || b.path("x").asInt() + b.path("w").asInt() <= a.path("x").asInt()
                        || a.path("y").asInt() + a.path("h").asInt() <= b.path("y").asInt()
                        || b.path("y").asInt() + b.path("h").asInt() <= a.path("y").asInt();
                assertThat(apart).as("%s overlaps %s", all.get(i).path("title"), all.get(j).path("title")).isTrue();
                assertThat(a.path("x").asInt() + a.path("w").asInt()).isLessThanOrEqualTo(24);
            }
        }
    }

    @Test
    void dashboardShowsEveryViewTheIssueAsksFor() throws IOException {
        List<String> titles = panels().stream().map(p -> p.path("title").asText()).toList();

        assertThat(titles).contains(
                "Spend today by backend", "Spend this month by backend", "Spend today by tenant",
                "Spend this month by tenant", "Global budget remaining", "Budget remaining by tenant",
                "Saved against all-cloud today and this month", "Monthly volume against the break-even volume",
                "Routing split by backend", "Fallbacks by reason", "Circuit breakers", "Local queue depth",
                "Local queue wait", "Job latency percentiles by backend");
    }

    @Test
    void dashboardAndAlertsUseOnlyMetricsFromTheContract() throws IOException {
        Set<String> contract = contractSeries();
        Set<String> used = new TreeSet<>(metricsIn(Files.readString(DASHBOARD)));
        for (PrometheusRule rule : ChartRenderer.render("servicemonitor").all(PrometheusRule.class)) {
            rule.getSpec().getGroups().forEach(g -> g.getRules().forEach(r -> used.addAll(metricsIn(r.getExpr().getStrVal()))));
        }

        assertThat(used).isNotEmpty();
        assertThat(used).allSatisfy(name -> assertThat(inContract(name, contract))
                .as("%s is not in docs/metrics.md", name).isTrue());
    }

    /** The Prometheus series of docs/metrics.md, with "x_bucket / _sum / _count" and "x_*" forms expanded. */
    static Set<String> contractSeries() throws IOException {
        Set<String> series = new TreeSet<>();
        Pattern cell = Pattern.compile("`((?:gateway|resilience4j)_[a-z0-9_*]+)(?:\\{[^}]*})?`((?:\\s*/\\s*`_[a-z]+`)*)");
        for (String line : Files.readAllLines(METRICS_CONTRACT)) {
            Matcher m = cell.matcher(line);
            while (m.find()) {
                String name = m.group(1);
                series.add(name);
                Matcher suffix = Pattern.compile("`(_[a-z]+)`").matcher(m.group(2));
                String base = name.replaceFirst("_(bucket|sum|count)$", "");
                while (suffix.find()) {
                    series.add(base + suffix.group(1));
                }
            }
        }
        return series;
    }

    private static boolean inContract(String name, Set<String> contract) {
        return contract.contains(name) || contract.stream()
                .filter(c -> c.endsWith("_*"))
                .anyMatch(c -> name.startsWith(c.substring(0, c.length() - 1)));
    }

    static Set<String> metricsIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static List<JsonNode> panels() throws IOException {
        return StreamSupport.stream(dashboard().path("panels").spliterator(), false)
                .filter(p -> !"row".equals(p.path("type").asText()))
                .toList();
    }

    private static List<JsonNode> rows() throws IOException {
        return StreamSupport.stream(dashboard().path("panels").spliterator(), false)
                .filter(p -> "row".equals(p.path("type").asText()))
                .toList();
    }

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }
}
