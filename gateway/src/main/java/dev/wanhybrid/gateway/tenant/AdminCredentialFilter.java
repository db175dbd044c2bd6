package dev.wanhybrid.gateway.tenant;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards actuator endpoints other than health and prometheus with the admin bearer token, compared by SHA-256
 * in constant time. With no admin hash configured they answer 403 to everyone.
 *
 * <p>A filter instead of Spring Security: one static credential on one path prefix does not justify the
 * security filter chain and its defaults (CSRF, sessions) applying to every API of the gateway.
 */
public class AdminCredentialFilter extends OncePerRequestFilter {

    private final String basePath;
    private final byte[] tokenHash;

    public AdminCredentialFilter(String actuatorBasePath, String tokenSha256) {
        this.basePath = actuatorBasePath.endsWith("/") ? actuatorBasePath.substring(0, actuatorBasePath.length() - 1)
                : actuatorBasePath;
        this.tokenHash = tokenSha256 == null || tokenSha256.isBlank() ? null
                : tokenSha256.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (!path.equals(basePath) && !path.startsWith(basePath + "/")) {
            return true;
        }
        String rest = path.substring(basePath.length());
        return rest.equals("/health") || rest.startsWith("/health/") || rest.equals("/prometheus");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (tokenHash == null) {
            ErrorWriter.write(response, 403, "permission_error", "admin_disabled",
                    "This endpoint needs the admin credential, and none is configured (gateway.admin.token-sha256).");
            return;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        boolean ok = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && java.security.MessageDigest.isEqual(tokenHash, TenantDirectory.sha256Hex(header.substring(7).trim())
                        .getBytes(StandardCharsets.US_ASCII));
        if (!ok) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            ErrorWriter.write(response, 401, "authentication_error", "admin_credential_required",
                    "This endpoint needs the admin bearer token.");
            return;
        }
        chain.doFilter(request, response);
    }
}
