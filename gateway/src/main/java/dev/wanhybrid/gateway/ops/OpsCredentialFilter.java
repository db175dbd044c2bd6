package dev.wanhybrid.gateway.ops;

import dev.wanhybrid.gateway.tenant.TenantDirectory;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards {@code /ops} with the admin token (the one the protected actuator endpoints take), so a browser can open it.
 *
 * <p>Accepted, in this order: {@code Authorization: Bearer <token>} (scripts), HTTP Basic with the token as the
 * password and any user name (a browser asks for it itself after the 401), and the {@code ops_token} cookie. A
 * {@code ?token=} query parameter is exchanged once for that cookie ({@code HttpOnly}, {@code SameSite=Strict},
 * path {@code /ops}) and answered with a redirect to the same page without it, so the token leaves the address bar
 * and the history; the chart image then rides on the cookie. The token is compared by SHA-256 in constant time,
 * as in {@code AdminCredentialFilter}; with no admin hash configured the page answers 403.
 */
class OpsCredentialFilter extends OncePerRequestFilter {

    static final String COOKIE = "ops_token";

    private final byte[] tokenHash;

    OpsCredentialFilter(String tokenSha256) {
        this.tokenHash = tokenSha256 == null || tokenSha256.isBlank() ? null
                : tokenSha256.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (tokenHash == null) {
            plain(response, 403, "The ops page needs the admin credential, and none is configured "
                    + "(gateway.admin.token-sha256).");
            return;
        }
        String fromQuery = request.getParameter("token");
        if (fromQuery != null) {
            if (!matches(fromQuery)) {
                challenge(response);
                return;
            }
            ResponseCookie cookie = ResponseCookie.from(COOKIE, fromQuery).httpOnly(true).sameSite("Strict")
                    .secure(request.isSecure()).path(request.getContextPath() + "/ops").build();
            response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
            response.setStatus(303);
            response.setHeader(HttpHeaders.LOCATION, request.getRequestURI());
            return;
        }
        if (!matches(presented(request))) {
            challenge(response);
            return;
        }
        chain.doFilter(request, response);
    }

    private static String presented(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                return colon < 0 ? null : pair.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        if (request.getCookies() != null) {
            for (Cookie c : request.getCookies()) {
                if (COOKIE.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private boolean matches(String token) {
        return token != null && !token.isBlank() && MessageDigest.isEqual(tokenHash,
                TenantDirectory.sha256Hex(token.trim()).getBytes(StandardCharsets.US_ASCII));
    }

    private static void challenge(HttpServletResponse response) throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"gateway ops\", charset=\"UTF-8\"");
        plain(response, 401, "The ops page needs the admin token: as the password of HTTP Basic (any user name), "
                + "as a bearer token, or once as ?token= (exchanged for a cookie).");
    }

    private static void plain(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write(message + "\n");
    }
}
