package dev.wanhybrid.gateway.net;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Outbound URL policy ({@code gateway.net}): which user-supplied URLs may be fetched or posted to, and the limits.
 *
 * @param allowHosts {@code host} or {@code host:port} entries admitted even when they resolve to a private or
 *     loopback address (tests use it for their loopback receivers); the scheme rule still applies
 * @param blockedHosts extra host names refused outright, in addition to the built-in metadata names
 * @param connectTimeout connect timeout of every outbound call
 * @param fetchTimeout total time allowed for one download, redirects included
 * @param maxRedirects redirects followed by a download, each re-checked
 * @param maxDownloadSize default size limit of a download
 */
@Validated
@ConfigurationProperties("gateway.net")
public record NetProperties(
        @DefaultValue({}) List<@Pattern(regexp = "[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?",
                message = "must be host or host:port") String> allowHosts,
        @DefaultValue({}) List<String> blockedHosts,
        @NotNull @DefaultValue("5s") Duration connectTimeout,
        @NotNull @DefaultValue("30s") Duration fetchTimeout,
        @Min(0) @Max(10) @DefaultValue("3") int maxRedirects,
        @NotNull @DefaultValue("20MB") DataSize maxDownloadSize) {

    public NetProperties {
        allowHosts = allowHosts == null ? List.of() : List.copyOf(allowHosts);
        blockedHosts = blockedHosts == null ? List.of() : List.copyOf(blockedHosts);
    }

    /** Defaults with no allow-list, for code that builds a guard by hand. */
    public static NetProperties defaults() {
        return new NetProperties(List.of(), List.of(), Duration.ofSeconds(5), Duration.ofSeconds(30), 3,
                DataSize.ofMegabytes(20));
    }

    public NetProperties withAllowHosts(List<String> hosts) {
        return new NetProperties(hosts, blockedHosts, connectTimeout, fetchTimeout, maxRedirects, maxDownloadSize);
    }
}
