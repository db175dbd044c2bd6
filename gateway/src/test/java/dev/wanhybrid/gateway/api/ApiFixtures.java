package dev.wanhybrid.gateway.api;

import java.time.Duration;
import java.util.List;
import org.springframework.util.unit.DataSize;

/** The API limits as configured by default, for unit tests of the api package's parts. */
final class ApiFixtures {

    private ApiFixtures() {}

    static ApiProperties defaults() {
        return new ApiProperties(DataSize.ofKilobytes(64), 4000, 2000, DataSize.ofMegabytes(10), 60, 2048,
                Duration.ofDays(7), List.of("image/png", "image/jpeg", "image/webp"), 8000);
    }

    /** A real 32x18 PNG (the test resource {@code fixtures/api/frame.png}). */
    static byte[] png() {
        try (java.io.InputStream in = ApiFixtures.class.getResourceAsStream("/fixtures/api/frame.png")) {
            return java.util.Objects.requireNonNull(in).readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A PNG signature followed by zeros: enough for the sniffer, not a picture. */
    static byte[] pngSignatureAndZeros() {
        return new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    }
}
