package dev.wanhybrid.gateway.tenant;

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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The configured tenants, found by the SHA-256 of a presented API key, each with its own rate limit, counted by a
 * {@link TenantRateLimiter} (in memory, or shared by all replicas in PostgreSQL).
 */
@Component
public class TenantDirectory {

    private final Map<String, Tenant> byKeyHash = new LinkedHashMap<>();
    private final Map<String, TenantProperties.RateLimit> limits = new LinkedHashMap<>();
    private final TenantRateLimiter limiter;

    /** A directory whose limits are counted in this instance's memory. */
    public TenantDirectory(TenantProperties properties) {
        this(properties, new InMemoryTenantRateLimiter());
    }

    @Autowired
    public TenantDirectory(TenantProperties properties, TenantRateLimiter limiter) {
        this.limiter = limiter;
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
        limits.put(id, limit);
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
        TenantProperties.RateLimit limit = limits.get(tenant.id());
        return limit == null ? Optional.empty() : limiter.take(tenant.id(), limit);
    }

    public boolean isEmpty() {
        return byKeyHash.isEmpty();
    }

    /** Whether a tenant of this id is configured. */
    public boolean knows(String tenantId) {
        return limits.containsKey(tenantId);
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
