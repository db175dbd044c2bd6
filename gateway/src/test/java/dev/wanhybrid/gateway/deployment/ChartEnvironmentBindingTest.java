package dev.wanhybrid.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.backend.cloud.CloudProperties;
import dev.wanhybrid.gateway.backend.local.LocalProperties;
import dev.wanhybrid.gateway.fleet.GatewayRole;
import dev.wanhybrid.gateway.jobs.JobProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;
import software.amazon.awssdk.core.SdkSystemSetting;

/**
 * The environment variables the Helm chart (helm/wan-gateway/templates) sets reach the gateway settings they are
 * meant for. Spring's relaxed binding drops dashes for environment variables ({@code gateway.jobs.dispatcher-enabled}
 * is {@code GATEWAY_JOBS_DISPATCHERENABLED}), an easy name to get wrong and silently ignored when wrong.
 */
class ChartEnvironmentBindingTest {

    private static final Path TEMPLATES = Path.of("..", "helm", "wan-gateway", "templates");
    private static final Pattern ENV_NAME = Pattern.compile("(?m)^\\s*- name: ([A-Z][A-Z0-9_]+)\\s*$");

    /** Variables read by something other than Spring's binder, with what reads them. */
    private static final Map<String, String> READ_ELSEWHERE = Map.of(
            "JAVA_TOOL_OPTIONS", "the JVM",
            "HOME", "JavaCPP and DJL native library caches",
            "SPRING_CONFIG_ADDITIONAL_LOCATION", "Spring Boot's config data loader",
            "AWS_ACCESS_KEY_ID", "the AWS SDK's default credentials chain",
            "AWS_SECRET_ACCESS_KEY", "the AWS SDK's default credentials chain",
            "GATEWAY_WEBHOOKS_SIGNING_SECRET", "webhook.WebhookConfiguration, by the name a tenant's webhook-secret-ref gives",
            "GATEWAY_SOURCE_LINKS_SECRET", "the chart's config file, as gateway.api.source-links.secret: "
                    + "${GATEWAY_SOURCE_LINKS_SECRET:} (ChartContractsTest checks that line)");

    /** Set by the chart for a setting the gateway does not read yet; kept visible rather than dropped. */
    private static final Map<String, String> NOT_READ_YET = Map.of();

    private static final Map<String, String> CHART_ENVIRONMENT = new LinkedHashMap<>();

    static {
        CHART_ENVIRONMENT.put("GATEWAY_ROLE", "worker");
        CHART_ENVIRONMENT.put("GATEWAY_JOBS_BACKENDS", "local");
        CHART_ENVIRONMENT.put("GATEWAY_JOBS_DISPATCHERENABLED", "false");
        CHART_ENVIRONMENT.put("GATEWAY_LOCAL_MODELPATH", "/models/Wan2.1-T2V-1.3B-Diffusers");
        CHART_ENVIRONMENT.put("GATEWAY_LOCAL_DEVICES", "cuda:0,cuda:1");
        CHART_ENVIRONMENT.put("DASHSCOPE_API_KEY", "sk-from-secret");
        CHART_ENVIRONMENT.put("SPRING_DATASOURCE_USERNAME", "wan");
        CHART_ENVIRONMENT.put("SPRING_DATASOURCE_PASSWORD", "pw-from-secret");
    }

    @Test
    void everyVariableTheChartSetsIsAccountedFor() throws IOException {
        Set<String> set = chartVariables();
        Set<String> known = new TreeSet<>(CHART_ENVIRONMENT.keySet());
        known.addAll(READ_ELSEWHERE.keySet());
        known.addAll(NOT_READ_YET.keySet());

        assertThat(set).as("variables set in helm/wan-gateway/templates").hasSizeGreaterThan(10);
        assertThat(known).containsAll(set);
        assertThat(set).containsAll(known);
    }

    @Test
    void chartVariablesBindToTheGatewaySettings() throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        // Named like the real one, so the binder maps names as it does for the process environment.
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                "chart-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.copyOf(CHART_ENVIRONMENT)));
        // gateway-cloud.yaml takes the key from ${DASHSCOPE_API_KEY:}, as the running application does.
        new YamlPropertySourceLoader().load("gateway-cloud", new ClassPathResource("gateway-cloud.yaml"))
                .forEach(environment.getPropertySources()::addLast);
        Binder binder = Binder.get(environment);

        JobProperties jobs = binder.bindOrCreate("gateway.jobs", JobProperties.class);
        LocalProperties local = binder.bindOrCreate("gateway.local", LocalProperties.class);
        CloudProperties cloud = binder.bindOrCreate("gateway.cloud", CloudProperties.class);

        assertThat(binder.bind("gateway.role", GatewayRole.class).get()).isEqualTo(GatewayRole.WORKER);
        assertThat(jobs.backends()).containsExactly("local");
        assertThat(jobs.dispatcherEnabled()).isFalse();
        assertThat(local.modelPath()).isEqualTo(Path.of("/models/Wan2.1-T2V-1.3B-Diffusers"));
        assertThat(local.devices()).containsExactly("cuda:0", "cuda:1");
        assertThat(cloud.apiKey()).isEqualTo("sk-from-secret");
        assertThat(binder.bind("spring.datasource.username", String.class).get()).isEqualTo("wan");
        assertThat(binder.bind("spring.datasource.password", String.class).get()).isEqualTo("pw-from-secret");
    }

    @Test
    void s3CredentialVariablesAreTheOnesTheAwsSdkReads() {
        assertThat(SdkSystemSetting.AWS_ACCESS_KEY_ID.environmentVariable()).isEqualTo("AWS_ACCESS_KEY_ID");
        assertThat(SdkSystemSetting.AWS_SECRET_ACCESS_KEY.environmentVariable()).isEqualTo("AWS_SECRET_ACCESS_KEY");
    }

    private static Set<String> chartVariables() throws IOException {
        Set<String> names = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(TEMPLATES)) {
            files = listing.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".tpl")).toList();
        }
        for (Path file : files) {
            Matcher m = ENV_NAME.matcher(Files.readString(file));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
