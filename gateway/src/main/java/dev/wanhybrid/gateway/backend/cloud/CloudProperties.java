package dev.wanhybrid.gateway.backend.cloud;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The cloud backend ({@code gateway.cloud}): DashScope account, region, the account's limits, and the in-process
 * simulator the demo profile and tests use.
 *
 * @param apiKey the DashScope API key (also read from {@code DASHSCOPE_API_KEY}); blank leaves the backend not ready
 * @param region {@code international}, {@code mainland} or {@code us}
 * @param baseUrl overrides the region's URL (a workspace domain or a proxy); ends in {@code /api/v1}
 * @param workspace optional {@code X-DashScope-WorkSpace}
 * @param queriesPerSecond the account-wide task query limit (DashScope: 20)
 * @param concurrency per-model tasks-in-progress limits overriding the catalog's (5 for 2.5/2.6, 2 for 2.1/2.2)
 * @param permitWait how long a submission waits locally for a free concurrency permit before answering
 *     "throttled" (nothing is sent meanwhile); keep it below the cloud time limiter's timeout
 * @param queryWait the longest a poll waits for a query slot before answering "throttled"
 * @param connectTimeout HTTP connect timeout
 * @param requestTimeout HTTP request timeout
 * @param reconcileAfter how old an unanswered submission must be before a task list without a matching or running
 *     task proves it never arrived; longer than the request timeout plus the slowest answer seen, since a request
 *     the client gave up on may still create its task afterwards
 * @param simulator the in-process DashScope simulator
 */
@Validated
@ConfigurationProperties("gateway.cloud")
public record CloudProperties(
        String apiKey,
        @NotNull @DefaultValue("international") String region,
        URI baseUrl,
        String workspace,
        @DecimalMin("0.1") @DefaultValue("20") double queriesPerSecond,
        Map<String, Integer> concurrency,
        @NotNull @DefaultValue("10s") Duration permitWait,
        @NotNull @DefaultValue("2s") Duration queryWait,
        @NotNull @DefaultValue("5s") Duration connectTimeout,
        @NotNull @DefaultValue("30s") Duration requestTimeout,
        @NotNull @DefaultValue("2m") Duration reconcileAfter,
        @Valid @NotNull @DefaultValue Simulator simulator) {

    public CloudProperties {
        concurrency = concurrency == null ? Map.of() : Map.copyOf(concurrency);
    }

    /** Whether a key is configured (its value is never exposed here). */
    public boolean hasApiKey() {
        return apiKey != null && !apiKey.isBlank();
    }

    @Override
    public String toString() {
        return "CloudProperties[region=" + region + ", baseUrl=" + baseUrl + ", apiKey="
                + (hasApiKey() ? "(set)" : "(none)") + ", simulator=" + simulator + "]";
    }

    /**
     * The DashScope simulator started inside the gateway ({@code gateway.cloud.simulator}); when enabled and no
     * key or base URL is configured, the cloud backend talks to it.
     *
     * @param enabled start it (the {@code demo} profile does)
     * @param port {@code 0} picks a free port
     * @param apiKey the key it accepts and the backend sends
     * @param pendingFor how long its tasks stay PENDING
     * @param runningFor how long they then stay RUNNING
     * @param queriesPerSecond its query limit ({@code 0} turns it off)
     * @param faults faults injected from the start, in the shape of its {@code POST /sim/faults} control API
     *     ({@code error_rate}, {@code error_code}, {@code latency_ms}, {@code outage_seconds}, {@code throttle},
     *     {@code stuck_rate}, {@code moderation_failure_rate}, {@code lose_create_responses})
     */
    public record Simulator(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("0") int port,
            @NotNull @DefaultValue("sk-simulator") String apiKey,
            @NotNull @DefaultValue("3s") Duration pendingFor,
            @NotNull @DefaultValue("20s") Duration runningFor,
            @DefaultValue("20") double queriesPerSecond,
            Map<String, String> faults) {

        public Simulator {
            faults = faults == null ? Map.of() : Map.copyOf(faults);
        }
    }
}
