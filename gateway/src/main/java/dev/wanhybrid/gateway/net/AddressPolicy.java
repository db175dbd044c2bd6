package dev.wanhybrid.gateway.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which IP addresses no user-supplied URL may reach: loopback, private, carrier-grade NAT, link-local (cloud
 * metadata lives there), unique-local, multicast, documentation and reserved ranges, and IPv6 forms that embed
 * one of those IPv4 addresses (mapped, compatible, NAT64, 6to4, Teredo).
 */
final class AddressPolicy {

    private record Cidr(byte[] network, int prefix, String label) {

        static Cidr of(String text, String label) {
            String[] parts = text.split("/");
            try {
                return new Cidr(InetAddress.getByName(parts[0]).getAddress(), Integer.parseInt(parts[1]), label);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(text, e);
            }
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private static final List<Cidr> V4 = List.of(
            Cidr.of("0.0.0.0/8", "this network"),
            Cidr.of("10.0.0.0/8", "private"),
            Cidr.of("100.64.0.0/10", "carrier-grade NAT (Alibaba Cloud metadata lives at 100.100.100.200)"),
            Cidr.of("127.0.0.0/8", "loopback"),
            Cidr.of("169.254.0.0/16", "link-local (cloud metadata)"),
            Cidr.of("172.16.0.0/12", "private"),
            Cidr.of("192.0.0.0/24", "IETF protocol assignments"),
            Cidr.of("192.0.2.0/24", "documentation"),
            Cidr.of("192.88.99.0/24", "6to4 relay"),
            Cidr.of("192.168.0.0/16", "private"),
            Cidr.of("198.18.0.0/15", "benchmarking"),
            Cidr.of("198.51.100.0/24", "documentation"),
            Cidr.of("203.0.113.0/24", "documentation"),
            Cidr.of("224.0.0.0/4", "multicast"),
            Cidr.of("240.0.0.0/4", "reserved"),
            // Azure's wire server answers metadata-like requests on a public address.
            Cidr.of("168.63.129.16/32", "cloud metadata"));

    private static final List<Cidr> V6 = List.of(
            Cidr.of("::/128", "unspecified"),
            Cidr.of("::1/128", "loopback"),
            Cidr.of("100::/64", "discard"),
            Cidr.of("2001:db8::/32", "documentation"),
            Cidr.of("fc00::/7", "unique-local (includes the AWS metadata address fd00:ec2::254)"),
            Cidr.of("fe80::/10", "link-local"),
            Cidr.of("fec0::/10", "site-local"),
            Cidr.of("ff00::/8", "multicast"));

    private AddressPolicy() {}

    /** Why this address is refused, or {@code null} when it is a public unicast address. */
    static String blockedBecause(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return v4(bytes);
        }
        if (address instanceof Inet6Address) {
            for (Cidr c : V6) {
                if (c.contains(bytes)) {
                    return c.label();
                }
            }
            byte[] embedded = embeddedV4(bytes);
            if (embedded != null) {
                String inner = v4(embedded);
                return inner == null ? null : "IPv6 form of a " + inner + " IPv4 address";
            }
            return null;
        }
        return "unknown address family";
    }

    private static String v4(byte[] bytes) {
        for (Cidr c : V4) {
            if (c.contains(bytes)) {
                return c.label();
            }
        }
        return null;
    }

    /** The IPv4 address an IPv6 address carries by a standard transition mechanism, or {@code null}. */
    private static byte[] embeddedV4(byte[] b) {
        boolean first10Zero = true;
        for (int i = 0; i < 10; i++) {
            first10Zero &= b[i] == 0;
        }
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated)
        if (first10Zero && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
            return java.util.Arrays.copyOfRange(b, 12, 16);
        }
        // 64:ff9b::a.b.c.d and 64:ff9b:1::/48 (NAT64)
        if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
            return java.util.Arrays.copyOfRange(b, 12, 16);
        }
        // 2002:AABB:CCDD::/48 (6to4)
        if (b[0] == 0x20 && b[1] == 0x02) {
            return java.util.Arrays.copyOfRange(b, 2, 6);
        }
        // 2001:0000::/32 (Teredo): the client address is the last 32 bits, inverted
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
            byte[] v4 = java.util.Arrays.copyOfRange(b, 12, 16);
            for (int i = 0; i < 4; i++) {
                v4[i] = (byte) ~v4[i];
            }
            return v4;
        }
        return null;
    }
}
