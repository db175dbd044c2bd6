package dev.wanhybrid.gateway.tenant;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the actuator endpoints on the API port with the admin bearer token, compared by SHA-256 in constant time:
 *
 * <ul>
 *   <li>{@code health} (and its probe groups) is open, but shows details (backend configuration, data paths) only
 *       to the admin: a request with the admin token carries an authenticated principal, which
 *       {@code management.endpoint.health.show-details: when-authorized} asks for;</li>
 *   <li>{@code prometheus} needs the admin token or the scrape token ({@code gateway.admin.scrape-token-sha256}),
 *       since its series carry tenant ids; a separate management port ({@code management.server.port}, as the Helm
 *       chart sets) has its own instance of this filter ({@link ManagementPortCredentials}) that leaves it open to
 *       the Prometheus inside the cluster;</li>
 *   <li>everything else needs the admin token; with no admin hash configured it answers 403 to everyone.</li>
 * </ul>
 *
 * <p>A filter instead of Spring Security: one static credential on one path prefix does not justify the
 * security filter chain and its defaults (CSRF, sessions) applying to every API of the gateway.
 */
public class AdminCredentialFilter extends OncePerRequestFilter {

    /** The principal name a request with the admin token carries. */
    public static final String ADMIN_PRINCIPAL = "admin";

    private final String basePath;
    private final byte[] tokenHash;
    private final byte[] scrapeHash;
    private final boolean openMetrics;

    public AdminCredentialFilter(String actuatorBasePath, String tokenSha256) {
        this(actuatorBasePath, tokenSha256, null);
    }

    public AdminCredentialFilter(String actuatorBasePath, String tokenSha256, String scrapeTokenSha256) {
        this(actuatorBasePath, tokenSha256, scrapeTokenSha256, false);
    }

    /**
     * @param openMetrics whether {@code prometheus} is open to anyone: on a separate management port, reachable
     *     only inside the cluster, for the in-cluster scraper
     */
    public AdminCredentialFilter(String actuatorBasePath, String tokenSha256, String scrapeTokenSha256,
            boolean openMetrics) {
        this.openMetrics = openMetrics;
        this.basePath = actuatorBasePath.endsWith("/") ? actuatorBasePath.substring(0, actuatorBasePath.length() - 1)
                : actuatorBasePath;
        this.tokenHash = hash(tokenSha256);
        this.scrapeHash = hash(scrapeTokenSha256);
    }

    private static byte[] hash(String sha256) {
        return sha256 == null || sha256.isBlank() ? null : sha256.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !path.equals(basePath) && !path.startsWith(basePath + "/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String rest = request.getRequestURI().substring(request.getContextPath().length() + basePath.length());
        byte[] presented = presentedHash(request);
        boolean admin = matches(tokenHash, presented);
        if (rest.equals("/health") || rest.startsWith("/health/")) {
            chain.doFilter(admin ? new AdminRequest(request) : request, response);
            return;
        }
        if (rest.equals("/prometheus") && (openMetrics || admin || matches(scrapeHash, presented))) {
            chain.doFilter(request, response);
            return;
        }
        if (tokenHash == null && !rest.equals("/prometheus")) {
            ErrorWriter.write(response, 403, "permission_error", "admin_disabled",
                    "This endpoint needs the admin credential, and none is configured (gateway.admin.token-sha256).");
            return;
        }
        if (!admin) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            ErrorWriter.write(response, 401, "authentication_error", "admin_credential_required",
                    rest.equals("/prometheus")
                            ? "The metrics need the admin token or the scrape token (gateway.admin.scrape-token-sha256),"
                                    + " or a scrape on the management port when management.server.port is set."
                            : "This endpoint needs the admin bearer token.");
            return;
        }
        chain.doFilter(new AdminRequest(request), response);
    }

    private static byte[] presentedHash(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return TenantDirectory.sha256Hex(header.substring(7).trim()).getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean matches(byte[] expected, byte[] presented) {
        return expected != null && presented != null && MessageDigest.isEqual(expected, presented);
    }

    /** The request as the admin made it: an authenticated principal, for the endpoints that ask for one. */
    private static final class AdminRequest extends HttpServletRequestWrapper {

        private static final Principal PRINCIPAL = () -> ADMIN_PRINCIPAL;

        AdminRequest(HttpServletRequest request) {
            super(request);
        }

        @Override
        public Principal getUserPrincipal() {
            return PRINCIPAL;
        }

        @Override
        public String getRemoteUser() {
            return ADMIN_PRINCIPAL;
        }

        @Override
        public boolean isUserInRole(String role) {
            return true;
        }
    }
}
