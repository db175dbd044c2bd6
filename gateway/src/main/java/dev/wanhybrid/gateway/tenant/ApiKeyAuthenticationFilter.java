package dev.wanhybrid.gateway.tenant;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bearer API-key authentication and the per-tenant rate limit for {@code /v1/**}: 401 without a valid key,
 * 429 with {@code Retry-After} over the limit, both in the OpenAI error envelope. The key is never logged.
 */
public class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    /** The {@code /v1} paths where the admin token stands in for a tenant key. */
    private static final java.util.Set<String> ADMIN_PATHS = java.util.Set.of("/v1/budgets");

    private final TenantDirectory tenants;
    private final byte[] adminHash;

    public ApiKeyAuthenticationFilter(TenantDirectory tenants) {
        this(tenants, null);
    }

    public ApiKeyAuthenticationFilter(TenantDirectory tenants, String adminTokenSha256) {
        this.tenants = tenants;
        this.adminHash = adminTokenSha256 == null || adminTokenSha256.isBlank() ? null
                : adminTokenSha256.toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private boolean isAdmin(String key) {
        return adminHash != null && key.length() <= 512 && java.security.MessageDigest.isEqual(adminHash,
                TenantDirectory.sha256Hex(key).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ErrorWriter.write(response, 401, "invalid_request_error", "missing_api_key",
                    "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
            return;
        }
        String key = header.substring(7).trim();
        Optional<Tenant> tenant = tenants.authenticate(key);
        if (tenant.isEmpty() && isAdmin(key)
                && ADMIN_PATHS.contains(request.getRequestURI().substring(request.getContextPath().length()))) {
            request.setAttribute(Tenant.ADMIN_ATTRIBUTE, Boolean.TRUE);
            chain.doFilter(request, response);
            return;
        }
        if (tenant.isEmpty()) {
            ErrorWriter.write(response, 401, "invalid_request_error", "invalid_api_key", tenants.isEmpty()
                    ? "Incorrect API key provided. This gateway has no tenants configured yet: add one under"
                            + " gateway.tenants (the start-up log shows how), or start it with the demo profile."
                    : "Incorrect API key provided.");
            return;
        }
        Optional<Duration> wait = tenants.throttle(tenant.get());
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            ErrorWriter.write(response, 429, "rate_limit_error", "rate_limit_exceeded",
                    "Rate limit reached for tenant " + tenant.get().id() + "; retry after " + seconds + " s.");
            return;
        }
        request.setAttribute(Tenant.REQUEST_ATTRIBUTE, tenant.get());
        chain.doFilter(request, response);
    }
}
