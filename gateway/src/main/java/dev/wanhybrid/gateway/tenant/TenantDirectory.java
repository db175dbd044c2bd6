package dev.wanhybrid.gateway.tenant;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The configured tenants, found by the SHA-256 of a presented API key, each with its own rate limiter.
 *
 * <p>Rate limits use Resilience4j's {@link RateLimiter} (already here for the breakers, with Micrometer metrics),
 * created in a private registry so that tenant limiters do not mix with the backends' resilience configuration.
 */
@Component
public class TenantDirectory {

    private final Map<String, Tenant> byKeyHash = new LinkedHashMap<>();
    private final Map<String, RateLimiter> limiters = new LinkedHashMap<>();
    private final RateLimiterRegistry registry = RateLimiterRegistry.ofDefaults();

    public TenantDirectory(TenantProperties properties) {
        for (TenantProperties.TenantConfig config : properties.tenants()) {
            add(config.id(), config.apiKeySha256().toLowerCase(Locale.ROOT), config.rateLimit(),
                    config.webhookSecretRef());
        }
        TenantProperties.Demo demo = properties.demo();
        if (demo.enabled()) {
            String key = demo.apiKey();
            if (key == null || key.isBlank()) {
                key = "sk-demo-" + HexFormat.of().formatHex(random());
                // Printed once, on purpose: the demo's newcomer needs the key, and it was made up just now.
                System.out.println("""

                        ==== DEMO MODE: outputs are demo output, not real generations ====
                        Generated API key for tenant '%s' (set DEMO_API_KEY to choose your own):
                            %s
                        ==================================================================
                        """.formatted(demo.tenantId(), key));
            }
            add(demo.tenantId(), sha256Hex(key), demo.rateLimit(), null);
        }
        if (byKeyHash.isEmpty()) {
            // Without a tenant every API call is a 401; say so once at start, with the exact way out.
            System.out.println(NO_TENANTS);
        }
    }

    /** What a first start with no tenants prints: every call would be a 401 until one is added. */
    static final String NO_TENANTS = """

            ==== No tenants are configured: every call to /v1 and /api/v1 answers 401 ====
            Add one with a key of your own (only its SHA-256 is configured), then restart:
                KEY=sk-$(openssl rand -hex 16); echo "your API key: $KEY"
                export GATEWAY_TENANTS_0_ID=me
                export GATEWAY_TENANTS_0_APIKEYSHA256=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
            or put gateway.tenants[0].id / api-key-sha256 in application.yaml (docs/api.md, "Tenants"),
            or try everything at once with the demo profile (-Dspring-boot.run.profiles=demo), which prints a key.
            ================================================================================
            """;

    private void add(String id, String keyHash, TenantProperties.RateLimit limit, String webhookSecretRef) {
        if (byKeyHash.containsKey(keyHash)) {
            throw new IllegalStateException("gateway.tenants: two tenants share one API key hash (" + id + ")");
        }
        byKeyHash.put(keyHash, new Tenant(id, webhookSecretRef));
        limiters.put(id, registry.rateLimiter("tenant-" + id, RateLimiterConfig.custom()
                .limitForPeriod(limit.limit())
                .limitRefreshPeriod(limit.period())
                .timeoutDuration(Duration.ZERO)
                .build()));
    }

    /** The tenant whose key this is, or empty. */
    public Optional<Tenant> authenticate(String apiKey) {
        if (apiKey == null || apiKey.isBlank() || apiKey.length() > 512) {
            return Optional.empty();
        }
        return Optional.ofNullable(byKeyHash.get(sha256Hex(apiKey)));
    }

    /** Takes one permit of the tenant's limit; empty when allowed, else how long until the next permit. */
    public Optional<Duration> throttle(Tenant tenant) {
        RateLimiter limiter = limiters.get(tenant.id());
        if (limiter == null || limiter.acquirePermission()) {
            return Optional.empty();
        }
        long nanos = limiter.reservePermission();
        // reservePermission() returns -1 with a zero timeout; fall back to one refresh period.
        Duration wait = nanos > 0 ? Duration.ofNanos(nanos) : limiter.getRateLimiterConfig().getLimitRefreshPeriod();
        return Optional.of(wait);
    }

    public boolean isEmpty() {
        return byKeyHash.isEmpty();
    }

    /** Whether a tenant of this id is configured. */
    public boolean knows(String tenantId) {
        return limiters.containsKey(tenantId);
    }

    public static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static byte[] random() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
