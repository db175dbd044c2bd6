package dev.wanhybrid.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Renders helm/wan-gateway with the Helm engine embedded in helm-java, as `helm template` would. */
final class ChartRenderer {

    static final Path CHART = Path.of("wan-gateway").toAbsolutePath();
    static final Path CI_VALUES = CHART.resolve("ci");
    static final String RELEASE = "wan";
    static final String NAMESPACE = "video";
    static final String FULLNAME = "wan-wan-gateway";
    /** helm template assumes Kubernetes 1.20 without a cluster; the chart needs at least 1.27. */
    static final String KUBE_VERSION = "v1.31.0";

    private ChartRenderer() {}

    /** The ci/ values files, one per scenario, by scenario name (the file name without "-values.yaml"). */
    static List<String> scenarios() {
        try (Stream<Path> files = Files.list(CI_VALUES)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith("-values.yaml"))
                    .map(n -> n.substring(0, n.length() - "-values.yaml".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RenderedChart render(String scenario) {
        return render(scenario, Map.of());
    }

    /** Renders a scenario with extra `--set` overrides applied on top of its values file. */
    static RenderedChart render(String scenario, Map<String, String> sets) {
        return RenderedChart.parse(template(scenario, sets));
    }

    /** Renders a scenario with a second values file (YAML text) layered on top, for overrides --set cannot express. */
    static RenderedChart renderWithOverrides(String scenario, String valuesYaml) {
        try {
            Path overrides = Files.createTempFile("wan-gateway-overrides", ".yaml");
            try {
                Files.writeString(overrides, valuesYaml);
                return RenderedChart.parse(command(scenario, Map.of()).withValuesFile(overrides).call());
            } finally {
                Files.deleteIfExists(overrides);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String template(String scenario, Map<String, String> sets) {
        return command(scenario, sets).call();
    }

    private static TemplateCommand command(String scenario, Map<String, String> sets) {
        Path values = CI_VALUES.resolve(scenario + "-values.yaml");
        if (!Files.isRegularFile(values)) {
            throw new IllegalArgumentException("no scenario " + values);
        }
        TemplateCommand command = new Helm(CHART).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION)
                .withValuesFile(values);
        for (Map.Entry<String, String> set : new LinkedHashMap<>(sets).entrySet()) {
            command = command.set(set.getKey(), set.getValue());
        }
        return command;
    }
}
