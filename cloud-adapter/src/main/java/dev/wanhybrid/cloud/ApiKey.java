package dev.wanhybrid.cloud;

import java.util.Objects;

/** A DashScope API key: a secret value that never appears in logs, exceptions or {@code toString}. */
public final class ApiKey {

    private final String value;

    private ApiKey(String value) {
        this.value = value;
    }

    /** Wraps a key; rejects a blank one so a misconfiguration fails where it is made. */
    public static ApiKey of(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a DashScope API key must not be blank");
        }
        return new ApiKey(value.strip());
    }

    /** The raw key, for the {@code Authorization} header only. */
    public String reveal() {
        return value;
    }

    /** Whether {@code presented} is this key, compared in constant time. */
    public boolean matches(String presented) {
        return presented != null
                && java.security.MessageDigest.isEqual(value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        presented.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A masked form such as {@code sk-****cdef}, safe to print. */
    @Override
    public String toString() {
        if (value.length() <= 8) {
            return "****";
        }
        return value.substring(0, 3) + "****" + value.substring(value.length() - 4);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ApiKey key && Objects.equals(value, key.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
