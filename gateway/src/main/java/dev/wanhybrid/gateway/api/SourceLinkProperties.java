package dev.wanhybrid.gateway.api;

import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How a cloud provider reaches a stored video it must read (the source of an edit), {@code gateway.api.source-links.*}.
 * An S3 result store hands out presigned GET links and needs none of this; on local disk the gateway serves the
 * video itself under {@code publicBaseUrl}{@code /shared/results} to whoever holds an HMAC-signed, expiring link.
 *
 * @param publicBaseUrl the gateway's address as the provider sees it (for example {@code https://gw.example.com}),
 *     or {@code null} when it has none
 * @param secret the HMAC-SHA256 key the links are signed with (at least 32 characters; the same on every replica),
 *     or {@code null}
 * @param validFor how long a link works: long enough for a queued job to reach the provider
 */
@Validated
@ConfigurationProperties("gateway.api.source-links")
public record SourceLinkProperties(URI publicBaseUrl, String secret, @NotNull @DefaultValue("24h") Duration validFor) {

    public SourceLinkProperties {
        if (secret != null && !secret.isBlank() && secret.length() < 32) {
            throw new IllegalArgumentException("gateway.api.source-links.secret must be at least 32 characters");
        }
        if (publicBaseUrl != null && publicBaseUrl.toString().isBlank()) {
            publicBaseUrl = null;
        }
    }

    /** Whether the gateway can sign links of its own. */
    boolean signs() {
        return publicBaseUrl != null && secret != null && !secret.isBlank();
    }
}
