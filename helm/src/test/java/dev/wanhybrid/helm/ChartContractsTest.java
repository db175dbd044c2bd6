package dev.wanhybrid.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deployment contracts of issue 5, each checked on the scenario that exercises it. */
class ChartContractsTest {

    private static final String WORKER = ChartRenderer.FULLNAME + "-worker";

    @Test
    void defaultsInstallOneCloudOnlyReplicaWithoutWorkersOrAutoscaling() {
        RenderedChart chart = ChartRenderer.render("defaults");

        assertThat(chart.gateway().getSpec().getReplicas()).isEqualTo(1);
        assertThat(chart.workers()).isEmpty();
        assertThat(chart.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(chart.all(PodDisruptionBudget.class)).isEmpty();
        assertThat(env(container(chart.gateway()), "DASHSCOPE_API_KEY").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("wan-gateway-dashscope");
        assertThat(chart.applicationConfig()).contains("type: local", "root: /var/lib/wan-gateway/results",
                "url: jdbc:h2:file:/var/lib/wan-gateway/data/gateway");
        assertThat(container(chart.gateway()).getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/wan-gateway/data"));
    }

    @Test
    void gpuWorkersRequestAndLimitTheirGpusOnGpuNodes() {
        RenderedChart chart = ChartRenderer.render("gpu-workers");
        Deployment workers = chart.workers().orElseThrow();
        PodSpec pod = workers.getSpec().getTemplate().getSpec();
        Container worker = pod.getContainers().getFirst();

        assertThat(workers.getSpec().getReplicas()).isEqualTo(2);
        // The workers run the CUDA build of the same version; the API replicas the plain one.
        assertThat(worker.getImage()).isEqualTo("registry.example.com/video/wan-hybrid-gateway-cuda:0.1.0");
        assertThat(container(chart.gateway()).getImage()).isEqualTo("registry.example.com/video/wan-hybrid-gateway:0.1.0");
        assertThat(worker.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(worker.getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(worker.getResources().getRequests()).containsEntry("memory", new Quantity("32Gi"));
        assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations()).anySatisfy(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(env(worker, "GATEWAY_ROLE").getValue()).isEqualTo("worker");
        assertThat(env(container(chart.gateway()), "GATEWAY_ROLE").getValue()).isEqualTo("api");
        // Local jobs are claimed by the workers only; the API replicas keep the cloud jobs.
        assertThat(env(worker, "GATEWAY_JOBS_BACKENDS").getValue()).isEqualTo("local");
        assertThat(env(container(chart.gateway()), "GATEWAY_JOBS_BACKENDS").getValue()).isEqualTo("cloud");
        // A job that falls back to the cloud is handed to an API replica: GPU nodes hold no paid credential.
        assertThat(worker.getEnv()).extracting(EnvVar::getName).doesNotContain("DASHSCOPE_API_KEY");
        assertThat(env(container(chart.gateway()), "DASHSCOPE_API_KEY").getValueFrom().getSecretKeyRef()).isNotNull();
        // The API replicas never ask for a GPU.
        assertThat(container(chart.gateway()).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    }

    @Test
    @SuppressWarnings("unchecked")
    void remoteEnginesAreConfiguredInTheGatewaysShapeAndRunByTheApiReplicas() {
        RenderedChart chart = ChartRenderer.renderWithOverrides("gpu-workers", """
                backends:
                  remote:
                    engines:
                      - name: gpu-a
                        base-url: http://wan-a.gpu.internal:8091
                        max-concurrent: 4
                        apiKeySecret: {name: wan-a-key, key: token}
                        models:
                          - {id: wan22-5b-a, served-name: Wan-AI/Wan2.2-TI2V-5B-Diffusers, kinds: [t2v]}
                      - name: gpu-b
                        base-url: http://wan-b.gpu.internal:8091
                        models:
                          - {id: wan21-13b-b, served-name: Wan-AI/Wan2.1-T2V-1.3B-Diffusers, kinds: [t2v]}
                """);
        Container api = container(chart.gateway());
        Container worker = container(chart.workers().orElseThrow());

        // The API replicas claim the remote engines' jobs beside the cloud's; the GPU workers only local ones.
        assertThat(env(api, "GATEWAY_JOBS_BACKENDS").getValue()).isEqualTo("cloud,gpu-a,gpu-b");
        assertThat(env(worker, "GATEWAY_JOBS_BACKENDS").getValue()).isEqualTo("local");
        // The bearer key comes from its Secret, on the API replicas only, and never sits in the ConfigMap.
        assertThat(env(api, "GATEWAY_REMOTE_KEY_GPU_A").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("wan-a-key");
        assertThat(env(api, "GATEWAY_REMOTE_KEY_GPU_A").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
        assertThat(worker.getEnv()).extracting(EnvVar::getName).doesNotContain("GATEWAY_REMOTE_KEY_GPU_A");
        assertThat(api.getEnv()).extracting(EnvVar::getName).doesNotContain("GATEWAY_REMOTE_KEY_GPU_B");

        Map<String, Object> config = new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                .unmarshal(chart.applicationConfig(), Map.class);
        List<Map<String, Object>> engines = (List<Map<String, Object>>) ((Map<String, Object>) config.get("gateway"))
                .get("remote-engines");
        assertThat(engines).extracting(e -> e.get("name")).containsExactly("gpu-a", "gpu-b");
        assertThat(engines.get(0)).containsEntry("base-url", "http://wan-a.gpu.internal:8091")
                .containsEntry("max-concurrent", 4).containsEntry("api-key", "${GATEWAY_REMOTE_KEY_GPU_A:}")
                .doesNotContainKey("apiKeySecret");
        assertThat(engines.get(1)).doesNotContainKey("api-key");
        assertThat(chart.applicationConfig()).doesNotContain("wan-a-key");

        // A key written into values is refused: only a Secret may carry it.
        assertThatThrownBy(() -> ChartRenderer.renderWithOverrides("defaults", """
                backends:
                  remote:
                    engines:
                      - {name: gpu-a, base-url: "http://a:8091", api-key: sk-plain, models: [{id: m}]}
                """)).hasMessageContaining("api-key");
    }

    @Test
    @SuppressWarnings("unchecked")
    void furtherCloudSourcesAreConfiguredInTheGatewaysShapeWithTheirKeysFromSecrets() {
        RenderedChart chart = ChartRenderer.renderWithOverrides("gpu-workers", """
                backends:
                  cloud:
                    sources:
                      - name: cloud-cn
                        region: mainland
                        usd-per-cny: 0.14
                        account-prices: /etc/wan-gateway/prices/cn-contract.yaml
                        apiKeySecret: {name: dashscope-cn, key: api-key}
                      - name: cloud-intl2
                        region: international
                        models: [wan2.7-t2v]
                """);
        Container api = container(chart.gateway());
        Container worker = container(chart.workers().orElseThrow());

        // The API replicas run every cloud source's jobs; the key is theirs only and never in the ConfigMap.
        assertThat(env(api, "GATEWAY_JOBS_BACKENDS").getValue()).isEqualTo("cloud,cloud-cn,cloud-intl2");
        assertThat(env(api, "GATEWAY_CLOUD_SOURCE_KEY_CLOUD_CN").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("dashscope-cn");
        assertThat(worker.getEnv()).extracting(EnvVar::getName).doesNotContain("GATEWAY_CLOUD_SOURCE_KEY_CLOUD_CN");
        assertThat(api.getEnv()).extracting(EnvVar::getName).doesNotContain("GATEWAY_CLOUD_SOURCE_KEY_CLOUD_INTL2");

        Map<String, Object> config = new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                .unmarshal(chart.applicationConfig(), Map.class);
        Map<String, Object> cloud = (Map<String, Object>) ((Map<String, Object>) config.get("gateway")).get("cloud");
        List<Map<String, Object>> sources = (List<Map<String, Object>>) cloud.get("sources");
        assertThat(sources).extracting(s -> s.get("name")).containsExactly("cloud-cn", "cloud-intl2");
        assertThat(sources.get(0)).containsEntry("region", "mainland").containsEntry("usd-per-cny", 0.14)
                .containsEntry("account-prices", "/etc/wan-gateway/prices/cn-contract.yaml")
                .containsEntry("api-key", "${GATEWAY_CLOUD_SOURCE_KEY_CLOUD_CN:}").doesNotContainKey("apiKeySecret");
        assertThat(sources.get(1)).doesNotContainKey("api-key").containsEntry("models", List.of("wan2.7-t2v"));
        assertThat(chart.applicationConfig()).doesNotContain("dashscope-cn");

        // A key written into values, or a name the gateway would refuse, fails at install.
        assertThatThrownBy(() -> ChartRenderer.renderWithOverrides("defaults", """
                backends:
                  cloud:
                    sources:
                      - {name: cloud-cn, api-key: sk-plain}
                """)).hasMessageContaining("api-key");
        assertThatThrownBy(() -> ChartRenderer.renderWithOverrides("defaults", """
                backends:
                  cloud:
                    sources:
                      - {name: mainland}
                """)).hasMessageContaining("name");
    }

    @Test
    void gpuWorkersMountSharedMemoryAndTheModelVolume() {
        Deployment workers = ChartRenderer.render("gpu-workers").workers().orElseThrow();
        PodSpec pod = workers.getSpec().getTemplate().getSpec();
        Container worker = pod.getContainers().getFirst();

        Volume shm = volume(pod, "dshm");
        assertThat(shm.getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(shm.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("8Gi"));
        Volume models = volume(pod, "models");
        assertThat(models.getPersistentVolumeClaim().getClaimName()).isEqualTo("wan-models");
        assertThat(models.getPersistentVolumeClaim().getReadOnly()).isTrue();
        assertThat(worker.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("dshm");
            assertThat(m.getMountPath()).isEqualTo("/dev/shm");
        });
        assertThat(worker.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("models");
            assertThat(m.getMountPath()).isEqualTo("/models");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(env(worker, "GATEWAY_LOCAL_MODELPATH").getValue()).isEqualTo("/models/Wan2.1-T2V-1.3B-Diffusers");
        assertThat(env(worker, "GATEWAY_LOCAL_DEVICES").getValue()).isEqualTo("cuda:0");
        // libtorch's memory is native: the worker's heap stays small, the API's takes most of its limit.
        assertThat(env(worker, "JAVA_TOOL_OPTIONS").getValue()).contains("-XX:MaxRAMPercentage=25");
        assertThat(env(container(ChartRenderer.render("gpu-workers").gateway()), "JAVA_TOOL_OPTIONS").getValue())
                .contains("-XX:MaxRAMPercentage=75");
        // A GPU node seldom has room for a surge pod.
        assertThat(workers.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();
    }

    @Test
    void workerStartupProbeWaitsLongEnoughToLoadAModel() {
        Container worker = container(ChartRenderer.render("gpu-workers").workers().orElseThrow());
        Container api = container(ChartRenderer.render("gpu-workers").gateway());

        assertThat(startupBudgetSeconds(worker)).isGreaterThanOrEqualTo(600);
        assertThat(startupBudgetSeconds(worker)).isGreaterThan(startupBudgetSeconds(api));
    }

    @Test
    void localOnlyWorkersReadModelsFromAHostPathAndCarryNoCloudKey() {
        RenderedChart chart = ChartRenderer.render("local-only");
        Deployment workers = chart.workers().orElseThrow();
        PodSpec pod = workers.getSpec().getTemplate().getSpec();

        assertThat(volume(pod, "models").getHostPath().getPath()).isEqualTo("/srv/models");
        assertThat(container(workers).getImage()).as("no worker image: the API image").isEqualTo("wan-hybrid-gateway:0.1.0");
        assertThat(container(workers).getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("2"));
        assertThat(env(container(workers), "GATEWAY_LOCAL_DEVICES").getValue()).isEqualTo("cuda:0,cuda:1");
        assertThat(pod.getRuntimeClassName()).as("runtimeClassName \"\" leaves the node default").isNull();
        assertThat(volume(pod, "results").getPersistentVolumeClaim().getClaimName()).isEqualTo("wan-results-rwx");
        assertThat(chart.manifest()).doesNotContain("DASHSCOPE_API_KEY");
        assertThat(env(container(chart.gateway()), "GATEWAY_JOBS_DISPATCHERENABLED").getValue()).isEqualTo("false");
        assertThat(chart.applicationConfig()).contains("cloud:\n    enabled: false");
    }

    @Test
    void cloudOnlyRunsNoWorkersAndReadsItsKeysFromSecrets() {
        RenderedChart chart = ChartRenderer.render("cloud-only");
        Container api = container(chart.gateway());

        assertThat(chart.workers()).isEmpty();
        assertThat(chart.find(Service.class, WORKER)).isEmpty();
        assertThat(env(api, "DASHSCOPE_API_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("dashscope");
        assertThat(env(api, "DASHSCOPE_API_KEY").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("DASHSCOPE_API_KEY");
        assertThat(env(api, "AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getName()).isEqualTo("wan-gateway-oss");
        assertThat(chart.applicationConfig())
                .contains("type: s3", "bucket: wan-results", "endpoint: https://oss-ap-southeast-1.aliyuncs.com");
        assertThat(chart.manifest()).doesNotContain("WanGatewayNoReadyGpuWorker");
    }

    @Test
    void ingressRoutesItsHostsToThePublicPortOnly() {
        RenderedChart chart = ChartRenderer.render("cloud-only");
        Ingress ingress = chart.one(Ingress.class, ChartRenderer.FULLNAME);

        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(tls -> {
            assertThat(tls.getSecretName()).isEqualTo("video-example-com-tls");
            assertThat(tls.getHosts()).containsExactly("video.example.com");
        });
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).isEqualTo("video.example.com");
            var backend = rule.getHttp().getPaths().getFirst().getBackend().getService();
            assertThat(backend.getName()).isEqualTo(ChartRenderer.FULLNAME);
            assertThat(backend.getPort().getName()).isEqualTo("http");
        });
        assertThat(ChartRenderer.render("defaults").ofKind("Ingress")).isEmpty();
    }

    @Test
    void externalPostgresqlTakesTheUrlFromValuesAndTheCredentialsFromASecret() {
        RenderedChart chart = ChartRenderer.render("external-postgresql");
        Container api = container(chart.gateway());

        assertThat(chart.applicationConfig()).contains(
                "url: jdbc:postgresql://pg-primary.database.example.internal:5432/wan_gateway?sslmode=verify-full&connectTimeout=10",
                "maximum-pool-size: 20");
        assertThat(env(api, "SPRING_DATASOURCE_USERNAME").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("user");
        assertThat(env(api, "SPRING_DATASOURCE_PASSWORD").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("pass");
        assertThat(env(api, "SPRING_DATASOURCE_PASSWORD").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("wan-gateway-postgres");
    }

    @Test
    void externalPostgresqlScenarioAutoscalesTheApiAndBudgetsDisruptions() {
        RenderedChart chart = ChartRenderer.render("external-postgresql");
        HorizontalPodAutoscaler hpa = chart.one(HorizontalPodAutoscaler.class, ChartRenderer.FULLNAME);
        PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class, ChartRenderer.FULLNAME);

        assertThat(chart.gateway().getSpec().getReplicas()).as("the HPA owns the replica count").isNull();
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(ChartRenderer.FULLNAME);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(hpa.getSpec().getMetrics().getFirst().getResource().getTarget().getAverageUtilization()).isEqualTo(60);
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(chart.gateway().getSpec().getSelector().getMatchLabels());
    }

    @Test
    void kedaScalesTheWorkersOnTheLocalQueueDepth() {
        RenderedChart chart = ChartRenderer.render("keda");
        GenericKubernetesResource scaledObject = (GenericKubernetesResource) chart.ofKind("ScaledObject").getFirst();
        Map<String, Object> trigger = scaledObject.<List<Map<String, Object>>>get("spec", "triggers").getFirst();
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = (Map<String, Object>) trigger.get("metadata");

        assertThat(scaledObject.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
        assertThat(scaledObject.<String>get("spec", "scaleTargetRef", "name")).isEqualTo(WORKER);
        assertThat(scaledObject.<Integer>get("spec", "minReplicaCount")).isZero();
        assertThat(scaledObject.<Integer>get("spec", "maxReplicaCount")).isEqualTo(8);
        assertThat(trigger).containsEntry("type", "prometheus");
        assertThat((String) metadata.get("query")).isEqualTo(
                "max(gateway_local_queue_depth{namespace=\"video\", service=~\"wan-wan-gateway|wan-wan-gateway-worker\"})");
        assertThat(metadata).containsEntry("threshold", "3");
        assertThat(chart.workers().orElseThrow().getSpec().getReplicas()).as("KEDA owns the replica count").isNull();
    }

    @Test
    void kedaWithoutItsApiFailsAndSaysWhatToInstall() {
        assertThatThrownBy(() -> ChartRenderer.renderWithOverrides("keda", "extraApiVersions: []"))
                .hasMessageContaining("workers.keda.enabled needs the KEDA CRDs");
    }

    @Test
    void serviceMonitorScrapesTheActuatorOfApiAndWorkersWhenTheApiExists() {
        RenderedChart chart = ChartRenderer.render("servicemonitor");
        ServiceMonitor monitor = chart.one(ServiceMonitor.class, ChartRenderer.FULLNAME);

        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.getPort()).isEqualTo("management");
            assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
        });
        Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();
        for (String service : List.of(ChartRenderer.FULLNAME, WORKER)) {
            Service target = chart.one(Service.class, service);
            assertThat(target.getMetadata().getLabels()).containsAllEntriesOf(selector);
            assertThat(target.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo("management"));
        }
        assertThat(chart.one(PrometheusRule.class, ChartRenderer.FULLNAME).getSpec().getGroups()).hasSize(2);
    }

    @Test
    void serviceMonitorAndAlertsAreAbsentWithoutThePrometheusOperatorApi() {
        RenderedChart chart = ChartRenderer.renderWithOverrides("servicemonitor", "extraApiVersions: []");

        assertThat(chart.ofKind("ServiceMonitor")).isEmpty();
        assertThat(chart.ofKind("PrometheusRule")).isEmpty();
        assertThat(chart.gateway()).isNotNull();
    }

    @Test
    void dashboardConfigMapShipsTheRepositoryDashboardForTheGrafanaSidecar() throws IOException {
        ConfigMap dashboard = ChartRenderer.render("defaults").one(ConfigMap.class, ChartRenderer.FULLNAME + "-dashboard");
        String file = Files.readString(ChartRenderer.CHART.resolve("dashboards/wan-gateway.json"));

        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getData().get("wan-gateway.json")).isEqualTo(file.strip());
    }

    @Test
    @SuppressWarnings("unchecked")
    void sourceLinksTakeTheirBaseUrlFromValuesAndTheirKeyFromASecretOnTheApiReplicasOnly() {
        RenderedChart chart = ChartRenderer.renderWithOverrides("gpu-workers", """
                sourceLinks:
                  publicBaseUrl: https://gw.example.com
                  validFor: 36h
                  secret: {existingSecret: wan-gateway-links, key: hmac}
                """);
        Container api = container(chart.gateway());
        Container worker = container(chart.workers().orElseThrow());
        assertThat(env(api, "GATEWAY_SOURCE_LINKS_SECRET").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("wan-gateway-links");
        assertThat(env(api, "GATEWAY_SOURCE_LINKS_SECRET").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("hmac");
        assertThat(worker.getEnv()).extracting(EnvVar::getName).doesNotContain("GATEWAY_SOURCE_LINKS_SECRET");

        Map<String, Object> config = new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                .unmarshal(chart.applicationConfig(), Map.class);
        Map<String, Object> links = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) config
                .get("gateway")).get("api")).get("source-links");
        // The names the gateway binds (api.SourceLinkProperties); the key is resolved from the env var.
        assertThat(links).containsEntry("public-base-url", "https://gw.example.com").containsEntry("valid-for", "36h")
                .containsEntry("secret", "${GATEWAY_SOURCE_LINKS_SECRET:}");
        assertThat(chart.applicationConfig()).doesNotContain("wan-gateway-links");

        // Without a base URL the chart configures no links (an S3 store presigns its own).
        Map<String, Object> plain = new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                .unmarshal(ChartRenderer.render("cloud-only").applicationConfig(), Map.class);
        assertThat((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) plain.get("gateway"))
                .get("api")).get("source-links")).doesNotContainKeys("public-base-url", "secret");
        assertThat(container(ChartRenderer.render("cloud-only").gateway()).getEnv()).extracting(EnvVar::getName)
                .doesNotContain("GATEWAY_SOURCE_LINKS_SECRET");

        // Half a configuration is refused, naming the value to set; a base URL that is no URL fails the schema.
        assertThatThrownBy(() -> ChartRenderer.render("defaults", Map.of("sourceLinks.publicBaseUrl",
                "https://gw.example.com"))).hasMessageContaining("sourceLinks.secret.existingSecret");
        assertThatThrownBy(() -> ChartRenderer.render("defaults", Map.of("sourceLinks.secret.existingSecret",
                "wan-gateway-links"))).hasMessageContaining("sourceLinks.publicBaseUrl");
        assertThatThrownBy(() -> ChartRenderer.render("defaults", Map.of("sourceLinks.publicBaseUrl",
                "gw.example.com", "sourceLinks.secret.existingSecret", "s"))).hasMessageContaining("publicBaseUrl");
    }

    @Test
    void sharedStateWithoutPostgresqlOrSharedStorageIsRefusedWithTheValueToSet() {
        assertThatThrownBy(() -> ChartRenderer.render("defaults", Map.of("gateway.replicaCount", "3")))
                .hasMessageContaining("need postgresql.enabled");
        assertThatThrownBy(() -> ChartRenderer.render("external-postgresql", Map.of("storage.type", "local")))
                .hasMessageContaining("set storage.type=s3 or storage.local.existingClaim");
        assertThatThrownBy(() -> ChartRenderer.render("gpu-workers", Map.of("workers.models.existingClaim", "")))
                .hasMessageContaining("workers.models.existingClaim or workers.models.hostPath");
        assertThatThrownBy(() -> ChartRenderer.render("defaults", Map.of("backends.cloud.apiKey.existingSecret", "")))
                .hasMessageContaining("backends.cloud.apiKey.existingSecret");
    }

    @Test
    void valuesSchemaRejectsUnknownKeysAndWrongTypes() {
        assertThatThrownBy(() -> ChartRenderer.render("defaults", Map.of("replicas", "2")))
                .hasMessageContaining("replicas");
        assertThatThrownBy(() -> ChartRenderer.render("defaults", Map.of("storage.type", "ftp")))
                .hasMessageContaining("/storage/type");
        assertThatThrownBy(() -> ChartRenderer.render("gpu-workers", Map.of("workers.gpu.count", "0")))
                .hasMessageContaining("/workers/gpu/count");
    }

    private static Container container(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name + " in " + container.getName()));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> name.equals(v.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static int startupBudgetSeconds(Container container) {
        return container.getStartupProbe().getPeriodSeconds() * container.getStartupProbe().getFailureThreshold();
    }
}
