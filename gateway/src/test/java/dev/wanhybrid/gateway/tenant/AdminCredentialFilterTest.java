package dev.wanhybrid.gateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Who may read which actuator endpoint on the API port, and who sees health's details. */
class AdminCredentialFilterTest {

    private final AdminCredentialFilter filter = new AdminCredentialFilter("/actuator",
            TenantDirectory.sha256Hex("admin-token"), TenantDirectory.sha256Hex("scrape-token"));

    /** The status the filter answers, or 200 with the request it passed on. */
    private record Outcome(int status, HttpServletRequest passed) {}

    private Outcome call(String path, String token) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        if (token != null) {
            request.addHeader("Authorization", "Bearer " + token);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicReference<HttpServletRequest> passed = new AtomicReference<>();
        filter.doFilter(request, response, (req, res) -> passed.set((HttpServletRequest) req));
        return new Outcome(passed.get() == null ? response.getStatus() : 200, passed.get());
    }

    @Test
    void healthIsOpenButOnlyTheAdminCarriesThePrincipalThatUnlocksDetails() throws Exception {
        assertThat(call("/actuator/health", null).passed().getUserPrincipal()).isNull();
        assertThat(call("/actuator/health/liveness", "wrong").passed().getUserPrincipal()).isNull();
        assertThat(call("/actuator/health", "scrape-token").passed().getUserPrincipal()).isNull();
        assertThat(call("/actuator/health", "admin-token").passed().getUserPrincipal().getName()).isEqualTo("admin");
    }

    @Test
    void prometheusNeedsTheScrapeOrTheAdminToken() throws Exception {
        assertThat(call("/actuator/prometheus", null).status()).isEqualTo(401);
        assertThat(call("/actuator/prometheus", "wrong").status()).isEqualTo(401);
        assertThat(call("/actuator/prometheus", "scrape-token").status()).isEqualTo(200);
        assertThat(call("/actuator/prometheus", "admin-token").status()).isEqualTo(200);
    }

    @Test
    void theScrapeTokenOpensNothingElse() throws Exception {
        assertThat(call("/actuator/env", "scrape-token").status()).isEqualTo(401);
        assertThat(call("/actuator/metrics", "scrape-token").status()).isEqualTo(401);
        assertThat(call("/actuator/metrics", "admin-token").status()).isEqualTo(200);
    }

    @Test
    void withoutAnAdminHashTheProtectedEndpointsAreClosedToEveryone() throws Exception {
        AdminCredentialFilter none = new AdminCredentialFilter("/actuator", "", "");
        MockHttpServletResponse response = new MockHttpServletResponse();
        none.doFilter(new MockHttpServletRequest("GET", "/actuator/env"), response, (req, res) -> { });
        assertThat(response.getStatus()).isEqualTo(403);
        MockHttpServletResponse scrape = new MockHttpServletResponse();
        none.doFilter(new MockHttpServletRequest("GET", "/actuator/prometheus"), scrape, (req, res) -> { });
        assertThat(scrape.getStatus()).isEqualTo(401);
    }
}
