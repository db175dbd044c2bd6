package dev.wanhybrid.gateway.dashscope;

import dev.wanhybrid.gateway.tenant.Tenant;
import dev.wanhybrid.gateway.tenant.TenantDirectory;
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
 * The tenants' bearer keys and rate limits on the DashScope-compatible routes, answering as DashScope does
 * (401 {@code InvalidApiKey}, 429 {@code Throttling.RateQuota}), so an SDK written for Alibaba reads the errors.
 */
class DashScopeAuthenticationFilter extends OncePerRequestFilter {

    private final TenantDirectory tenants;

    DashScopeAuthenticationFilter(TenantDirectory tenants) {
        this.tenants = tenants;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        Optional<Tenant> tenant = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? tenants.authenticate(header.substring(7).trim()) : Optional.empty();
        if (tenant.isEmpty()) {
            DashScopeFacadeAdvice.write(response, 401, "InvalidApiKey", tenants.isEmpty()
                    ? "Invalid API-key provided. This gateway has no tenants configured yet: add one under"
                            + " gateway.tenants (the start-up log shows how), or start it with the demo profile."
                    : "Invalid API-key provided.");
            return;
        }
        Optional<Duration> wait = tenants.throttle(tenant.get());
        if (wait.isPresent()) {
            response.setHeader(HttpHeaders.RETRY_AFTER,
                    Long.toString(Math.max(1, (wait.get().toMillis() + 999) / 1000)));
            DashScopeFacadeAdvice.write(response, 429, "Throttling.RateQuota",
                    "Requests rate limit exceeded, please try again later.");
            return;
        }
        request.setAttribute(Tenant.REQUEST_ATTRIBUTE, tenant.get());
        chain.doFilter(request, response);
    }
}
