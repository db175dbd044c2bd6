package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.web.ApiException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * URLs a cloud provider can fetch a stored video from (the video an edit changes): the result store's own presigned
 * link when it has one (S3), else a gateway link under the configured public base URL,
 * {@code /shared/results?key=...&expires=...&signature=...}, whose HMAC-SHA256 over the key and expiry makes it
 * unguessable and whose expiry bounds it. When neither is possible the request is refused with a 400 naming what
 * to configure.
 */
@org.springframework.stereotype.Component
final class SourceVideoLinks {

    static final String PATH = "/shared/results";

    private final ResultStore results;
    private final SourceLinkProperties properties;
    private final Clock clock;

    SourceVideoLinks(ResultStore results, SourceLinkProperties properties, Clock clock) {
        this.results = results;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * A fetchable link to the stored object {@code key}.
     *
     * @param param the request field the video came from, named in the 400 when no link can be made
     */
    URI linkTo(String key, String param) {
        var presigned = results.presignedGet(key, properties.validFor());
        if (presigned.isPresent()) {
            return presigned.get();
        }
        if (!properties.signs()) {
            throw ApiException.invalid(param, "source_link_unavailable", "The provider must fetch this video from"
                    + " a URL, and this gateway has none to give: its result store is not S3 (no presigned links)"
                    + " and gateway.api.source-links.public-base-url and gateway.api.source-links.secret are not"
                    + " both configured.");
        }
        long expires = clock.instant().plus(properties.validFor()).getEpochSecond();
        String base = properties.publicBaseUrl().toString().replaceAll("/+$", "");
        return URI.create(base + PATH + "?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&expires="
                + expires + "&signature=" + signature(key, expires));
    }

    /** Whether {@code signature} is this gateway's for {@code key} until {@code expires}, and it has not passed. */
    boolean verifies(String key, long expires, String signature) {
        if (!properties.signs() || key == null || signature == null
                || Instant.ofEpochSecond(expires).isBefore(clock.instant())) {
            return false;
        }
        return MessageDigest.isEqual(signature(key, expires).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String signature(String key, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(properties.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((key + "\n" + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
