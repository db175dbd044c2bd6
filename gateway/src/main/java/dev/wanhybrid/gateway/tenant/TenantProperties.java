package dev.wanhybrid.gateway.tenant;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Tenants and the admin credential ({@code gateway.tenants[]}, {@code gateway.admin.*}). Only SHA-256 hashes of
 * keys are configured, never the keys.
 *
 * @param tenants the tenants that may call {@code /v1}
 * @param admin the credential for actuator endpoints other than health and prometheus
 * @param demo the {@code demo} profile's generated tenant
 */
@Validated
@ConfigurationProperties("gateway")
public record TenantProperties(
        @DefaultValue({}) List<@Valid TenantConfig> tenants,
        @Valid @DefaultValue Admin admin,
        @Valid @DefaultValue Demo demo) {

    /**
     * One tenant.
     *
     * @param id tenant id, used in metrics tags and budgets (lowercase letters, digits, dashes)
     * @param apiKeySha256 hex SHA-256 of the tenant's API key ({@code printf %s "$KEY" | sha256sum})
     * @param rateLimit requests allowed per period
     * @param webhookSecretRef name of the property or environment variable that holds the webhook signing secret
     */
    public record TenantConfig(
            @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}") String id,
            @NotBlank @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be 64 hex digits (SHA-256 of the key)")
            String apiKeySha256,
            @Valid @DefaultValue RateLimit rateLimit,
            String webhookSecretRef) {}

    /**
     * A per-tenant rate limit: {@code limit} requests every {@code period}.
     *
     * @param limit requests per period
     * @param period the refresh period
     */
    public record RateLimit(@Min(1) @DefaultValue("50") int limit, @NotNull @DefaultValue("1s") Duration period) {}

    /**
     * The admin credential.
     *
     * @param tokenSha256 hex SHA-256 of the admin bearer token; empty disables the protected actuator endpoints
     * @param scrapeTokenSha256 hex SHA-256 of a bearer token that may read {@code /actuator/prometheus} and nothing
     *     else (for a Prometheus scraping the API port; the management port, when separate, needs none)
     */
    public record Admin(@DefaultValue("") @Pattern(regexp = "|[0-9a-fA-F]{64}") String tokenSha256,
            @DefaultValue("") @Pattern(regexp = "|[0-9a-fA-F]{64}") String scrapeTokenSha256) {}

    /**
     * The demo tenant, switched on by the {@code demo} profile.
     *
     * @param enabled whether to add the demo tenant
     * @param tenantId its id
     * @param apiKey its key; the profile fills it from {@code DEMO_API_KEY}; empty means generate one and print it
     * @param rateLimit its rate limit ({@code gateway.demo.rate-limit.limit} / {@code .period}; 50 per second
     *     unless set, like any tenant), so a load test against the demo can raise it
     */
    public record Demo(@DefaultValue("false") boolean enabled, @DefaultValue("demo") String tenantId,
            @DefaultValue("") String apiKey, @Valid @DefaultValue RateLimit rateLimit) {

        @Override
        public String toString() {
            return "Demo[enabled=" + enabled + ", tenantId=" + tenantId + ", apiKey=****]";
        }
    }
}
