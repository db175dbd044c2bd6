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

    private final TenantDirectory tenants;

    public ApiKeyAuthenticationFilter(TenantDirectory tenants) {
        this.tenants = tenants;
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
        Optional<Tenant> tenant = tenants.authenticate(header.substring(7).trim());
        if (tenant.isEmpty()) {
            ErrorWriter.write(response, 401, "invalid_request_error", "invalid_api_key",
                    "Incorrect API key provided.");
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
