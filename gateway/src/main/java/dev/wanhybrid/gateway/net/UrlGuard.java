package dev.wanhybrid.gateway.net;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a user-supplied URL ({@code image_url}, {@code audio_url}, {@code webhook_url}) may be contacted:
 * http(s) only, no user-info, and every address the host resolves to must be public (no loopback, private,
 * link-local, unique-local, multicast or cloud-metadata address). Host names are checked after DNS resolution,
 * and {@link SafeHttpFetcher} checks again on every redirect. Hosts on the configured allow-list are admitted
 * whatever they resolve to.
 *
 * <p>Decisions need no network: the resolver is injected.
 */
public final class UrlGuard {

    /** Names that reach metadata services or this machine whatever DNS says. */
    private static final Set<String> BLOCKED_NAMES = Set.of("localhost", "localhost.localdomain", "ip6-localhost",
            "ip6-loopback", "metadata", "metadata.google.internal", "metadata.goog", "instance-data",
            "instance-data.ec2.internal", "metadata.azure.internal", "kubernetes.default", "kubernetes.default.svc");

    /** Anything made only of digits, dots and hex notation is an IP literal to some parser. */
    private static final Pattern NUMERIC_HOST = Pattern.compile("(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+))*\\.?");
    private static final Pattern CANONICAL_V4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private final HostResolver resolver;
    private final List<String> allowHosts;
    private final Set<String> blockedNames;

    public UrlGuard(NetProperties properties, HostResolver resolver) {
        this.resolver = resolver;
        this.allowHosts = properties.allowHosts().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        var names = new java.util.HashSet<>(BLOCKED_NAMES);
        properties.blockedHosts().forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
        this.blockedNames = Set.copyOf(names);
    }

    /** An admitted URL and the addresses it was checked against. */
    public record Admitted(URI uri, List<InetAddress> addresses, boolean allowListed) {}

    /**
     * Checks a URL, resolving its host.
     *
     * @param param the request field, carried by the exception
     * @throws UnsafeUrlException naming {@code param} when the URL may not be contacted
     */
    public Admitted check(String param, URI url) {
        if (url == null) {
            throw new UnsafeUrlException(param, "no_host", "The URL is missing.");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UnsafeUrlException(param, "scheme", "Only http and https URLs are accepted.");
        }
        if (url.getRawUserInfo() != null || (url.getRawAuthority() != null && url.getRawAuthority().contains("@"))) {
            throw new UnsafeUrlException(param, "userinfo", "URLs with user information (user@host) are not accepted.");
        }
        String host = url.getHost();
        if (host == null || host.isBlank()) {
            throw new UnsafeUrlException(param, "no_host", "The URL has no valid host.");
        }
        host = host.toLowerCase(Locale.ROOT);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        String bare = bracketed ? host.substring(1, host.length() - 1) : host;
        if (bare.endsWith(".")) {
            bare = bare.substring(0, bare.length() - 1);
        }
        int port = url.getPort() != -1 ? url.getPort() : scheme.equals("https") ? 443 : 80;
        if (isAllowListed(bare, port)) {
            return new Admitted(url, List.of(), true);
        }
        if (blockedNames.contains(bare) || bare.endsWith(".localhost") || bare.endsWith(".internal")) {
            throw new UnsafeUrlException(param, "blocked_host", "This host may not be contacted.");
        }
        List<InetAddress> addresses;
        if (bracketed || bare.contains(":")) {
            addresses = List.of(literal(param, bare));
        } else if (NUMERIC_HOST.matcher(bare).matches()) {
            if (!CANONICAL_V4.matcher(bare).matches()) {
                // 2130706433, 0177.0.0.1, 0x7f.1: parsers disagree on these, so none is accepted.
                throw new UnsafeUrlException(param, "ip_literal_noncanonical",
                        "IP addresses must be written as four decimal numbers (a.b.c.d).");
            }
            addresses = List.of(literal(param, bare));
        } else {
            try {
                addresses = resolver.resolve(IDN.toASCII(bare));
            } catch (UnknownHostException | IllegalArgumentException e) {
                throw new UnsafeUrlException(param, "unresolvable", "The host name does not resolve.");
            }
            if (addresses.isEmpty()) {
                throw new UnsafeUrlException(param, "unresolvable", "The host name does not resolve.");
            }
        }
        for (InetAddress address : addresses) {
            String why = AddressPolicy.blockedBecause(address);
            if (why != null) {
                // Says which kind of address, never which address: the caller must not learn our DNS view.
                throw new UnsafeUrlException(param, "blocked_address",
                        "The URL points to a " + why + " address, which may not be contacted.");
            }
        }
        return new Admitted(url, addresses, false);
    }

    /** The check as a sentence for {@code InputUrlPolicy}: {@code null} when admitted. */
    public String rejection(String param, URI url) {
        try {
            check(param, url);
            return null;
        } catch (UnsafeUrlException e) {
            return e.getMessage();
        }
    }

    private boolean isAllowListed(String host, int port) {
        String literal = host.contains(":") ? "[" + host + "]" : host;
        return allowHosts.contains(literal) || allowHosts.contains(literal + ":" + port);
    }

    private static InetAddress literal(String param, String text) {
        try {
            // An IP literal: getByName parses it without any lookup.
            return InetAddress.getByName(text.contains(":") ? "[" + text + "]" : text);
        } catch (UnknownHostException e) {
            throw new UnsafeUrlException(param, "no_host", "The URL has no valid host.");
        }
    }
}
