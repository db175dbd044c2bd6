package dev.wanhybrid.gateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UrlGuardTest {

    /** A DNS of our own: no lookups leave the test. */
    private static final Map<String, List<String>> DNS = Map.of(
            "images.example.com", List.of("93.184.216.34"),
            "rebind.example.com", List.of("127.0.0.1"),
            "mixed.example.com", List.of("93.184.216.34", "10.1.2.3"),
            "ula.example.com", List.of("fd12:3456::1"),
            "mapped.example.com", List.of("::ffff:a9fe:a9fe"),
            "metadata-alias.example.com", List.of("169.254.169.254"),
            "v6.example.com", List.of("2606:2800:220:1:248:1893:25c8:1946"));

    private final AtomicInteger lookups = new AtomicInteger();

    private final HostResolver resolver = host -> {
        lookups.incrementAndGet();
        List<String> answers = DNS.get(host);
        if (answers == null) {
            throw new UnknownHostException(host);
        }
        return answers.stream().map(UrlGuardTest::ip).toList();
    };

    private final UrlGuard guard = new UrlGuard(NetProperties.defaults(), resolver);

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void publicHttpsHostIsAdmittedAfterResolution() {
        UrlGuard.Admitted admitted = guard.check("input_reference.image_url",
                URI.create("https://images.example.com/cat.png"));

        assertThat(admitted.addresses()).containsExactly(ip("93.184.216.34"));
        assertThat(lookups).hasValue(1);
    }

    @Test
    void publicIpv6HostIsAdmitted() {
        assertThat(guard.check("webhook_url", URI.create("http://v6.example.com:8080/hook")).allowListed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "file:///etc/passwd",
        "gopher://images.example.com/_stats",
        "ftp://images.example.com/cat.png",
        "jar:http://images.example.com/x.jar!/",
        "http://127.0.0.1/",
        "http://127.0.0.1:8080/admin",
        "http://localhost/",
        "http://LOCALHOST./",
        "http://api.localhost/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:a9fe:a9fe]/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.0.0.1/",
        "http://0x7f000001/",
        "http://127.1/",
        "http://017700000001/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata/computeMetadata/v1/",
        "http://100.100.100.200/latest/meta-data/",
        "http://168.63.129.16/",
        "http://10.0.0.5/",
        "http://172.16.3.4/",
        "http://192.168.1.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://[ff02::1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://user:secret@images.example.com/",
        "http://images.example.com@127.0.0.1/",
        "http://rebind.example.com/",
        "http://mixed.example.com/",
        "http://ula.example.com/",
        "http://mapped.example.com/",
        "http://metadata-alias.example.com/",
        "http://does-not-exist.example.com/",
        "http:///nohost",
        "https://[::ffff:10.0.0.1]:443/",
    })
    void unsafeUrlIsRefusedNamingTheField(String url) {
        UnsafeUrlException e = catchThrowableOfType(UnsafeUrlException.class,
                () -> guard.check("webhook_url", URI.create(url)));

        assertThat(e).as(url).isNotNull();
        assertThat(e.param()).isEqualTo("webhook_url");
        assertThat(e.getMessage()).as("never echoes the address").doesNotContain("127.0.0.1")
                .doesNotContain("10.1.2.3");
    }

    @Test
    void rebindingHostReportsWhatKindOfAddressItHit() {
        UnsafeUrlException e = catchThrowableOfType(UnsafeUrlException.class,
                () -> guard.check("audio.url", URI.create("http://rebind.example.com/a.mp3")));

        assertThat(e.reason()).isEqualTo("blocked_address");
        assertThat(e.getMessage()).contains("loopback");
    }

    @Test
    void nonCanonicalIpLiteralsAreRefusedWithoutALookup() {
        // java.net.URI already gives no host for most of these; the rest are caught as non-canonical literals.
        for (String url : List.of("http://0x5d.0xb8.0xd8.0x22/", "http://1572395042/", "http://93.0270.216.34/",
                "http://93.184.55330/")) {
            assertThatThrownBy(() -> guard.check("webhook_url", URI.create(url))).as(url)
                    .isInstanceOfSatisfying(UnsafeUrlException.class,
                            e -> assertThat(e.reason()).isIn("ip_literal_noncanonical", "no_host"));
        }
        assertThat(lookups).hasValue(0);
    }

    @Test
    void allowListAdmitsANamedLoopbackHostAndPortOnly() {
        var allowing = new UrlGuard(NetProperties.defaults().withAllowHosts(List.of("127.0.0.1:8089", "localhost")),
                resolver);

        assertThat(allowing.check("webhook_url", URI.create("http://127.0.0.1:8089/hook")).allowListed()).isTrue();
        assertThat(allowing.check("webhook_url", URI.create("http://localhost:9999/hook")).allowListed()).isTrue();
        assertThatThrownBy(() -> allowing.check("webhook_url", URI.create("http://127.0.0.1:8090/hook")))
                .isInstanceOf(UnsafeUrlException.class);
        assertThatThrownBy(() -> allowing.check("webhook_url", URI.create("file://localhost/etc/passwd")))
                .isInstanceOf(UnsafeUrlException.class);
    }

    @Test
    void extraBlockedHostsFromConfigurationAreRefused() {
        var props = new NetProperties(List.of(), List.of("images.example.com"), java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1), 3, org.springframework.util.unit.DataSize.ofMegabytes(1));
        assertThatThrownBy(() -> new UrlGuard(props, resolver).check("x", URI.create("https://images.example.com/")))
                .isInstanceOfSatisfying(UnsafeUrlException.class,
                        e -> assertThat(e.reason()).isEqualTo("blocked_host"));
    }

    @Test
    void rejectionSentenceIsNullForAnAdmittedUrl() {
        assertThat(guard.rejection("webhook_url", URI.create("https://images.example.com/h"))).isNull();
        assertThat(guard.rejection("webhook_url", URI.create("http://10.0.0.1/h"))).contains("private");
    }
}
