package dev.wanhybrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Contracts every ci/ scenario must keep, checked on the typed objects Helm renders. */
class ChartScenariosTest {

    /** Custom resources without a fabric8 model; everything else must map to a typed class. */
    private static final Set<String> UNTYPED_KINDS = Set.of("ScaledObject");

    static List<String> scenarios() {
        return ChartRenderer.scenarios();
    }

    @Test
    void everyScenarioTheIssueNamesHasAValuesFile() {
        assertThat(scenarios()).containsExactlyInAnyOrder(
                "defaults", "gpu-workers", "keda", "servicemonitor", "external-postgresql", "cloud-only", "local-only");
    }

    @Test
    void chartPassesHelmLintInStrictMode() {
        com.marcnuri.helm.LintResult lint = new com.marcnuri.helm.Helm(ChartRenderer.CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.startsWith("[WARNING]") || m.startsWith("[ERROR]"));
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void rendersOnlyTypedKubernetesObjectsWithoutUnknownFields(String scenario) {
        RenderedChart chart = ChartRenderer.render(scenario);

        assertThat(chart.objects()).isNotEmpty();
        for (HasMetadata object : chart.objects()) {
            if (UNTYPED_KINDS.contains(object.getKind())) {
                continue;
            }
            assertThat(object).as(object.getKind()).isNotInstanceOf(GenericKubernetesResource.class);
        }
        for (Deployment deployment : chart.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            // fabric8 keeps fields it does not know in additionalProperties: a typo in a template lands there.
            assertThat(deployment.getSpec().getAdditionalProperties()).as("unknown Deployment spec fields").isEmpty();
            assertThat(pod.getAdditionalProperties()).as("unknown pod spec fields").isEmpty();
            for (Container container : pod.getContainers()) {
                assertThat(container.getAdditionalProperties()).as("unknown container fields").isEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void rendersNoSecretAndTakesEveryCredentialFromAnExistingSecret(String scenario) {
        RenderedChart chart = ChartRenderer.render(scenario);

        assertThat(chart.ofKind("Secret")).isEmpty();
        for (Deployment deployment : chart.all(Deployment.class)) {
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                for (EnvVar env : container.getEnv()) {
                    if (env.getName().matches(".*(KEY|SECRET|PASSWORD|USERNAME).*")) {
                        assertThat(env.getValue()).as("%s must not be inline", env.getName()).isNull();
                        assertThat(env.getValueFrom().getSecretKeyRef()).as(env.getName()).isNotNull();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void everyContainerProbesTheActuatorHealthGroups(String scenario) {
        for (Deployment deployment : ChartRenderer.render(scenario).all(Deployment.class)) {
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                assertProbe(container.getLivenessProbe(), "/actuator/health/liveness");
                assertProbe(container.getReadinessProbe(), "/actuator/health/readiness");
                assertProbe(container.getStartupProbe(), "/actuator/health/liveness");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void everyPodRunsWithARestrictedSecurityContext(String scenario) {
        for (Deployment deployment : ChartRenderer.render(scenario).all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            for (Container container : pod.getContainers()) {
                var security = container.getSecurityContext();
                assertThat(security.getAllowPrivilegeEscalation()).isFalse();
                assertThat(security.getReadOnlyRootFilesystem()).isTrue();
                assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
                assertThat(container.getVolumeMounts()).as("a writable /tmp under a read-only root")
                        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
                // Native libraries (JavaCPP, DJL) unpack under $HOME.
                assertThat(container.getEnv()).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("HOME");
                    assertThat(e.getValue()).isEqualTo("/tmp");
                });
            }
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void everyPodCarriesAConfigChecksumSoItRollsOnConfigChange(String scenario) {
        RenderedChart chart = ChartRenderer.render(scenario);
        for (Deployment deployment : chart.all(Deployment.class)) {
            assertThat(checksum(deployment)).as(deployment.getMetadata().getName()).matches("[0-9a-f]{64}");
        }
    }

    @Test
    void configChecksumChangesWithTheConfigAndOnlyThen() {
        String before = checksum(ChartRenderer.render("gpu-workers").gateway());
        String scaled = checksum(ChartRenderer.render("gpu-workers", java.util.Map.of("gateway.replicaCount", "5")).gateway());
        RenderedChart changed = ChartRenderer.render("gpu-workers", java.util.Map.of("storage.maxResultSize", "1GB"));

        assertThat(scaled).isEqualTo(before);
        assertThat(changed.applicationConfig()).contains("max-result-size: 1GB");
        assertThat(checksum(changed.gateway())).isNotEqualTo(before);
        assertThat(checksum(changed.workers().orElseThrow())).isEqualTo(checksum(changed.gateway()));
    }

    private static String checksum(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
    }

    private static void assertProbe(Probe probe, String path) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
    }
}
