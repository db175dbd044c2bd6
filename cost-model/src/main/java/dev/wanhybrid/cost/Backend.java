package dev.wanhybrid.cost;

import java.util.Locale;

/** Where a video is made: on our GPUs or on the paid cloud API. */
public enum Backend {
    LOCAL,
    CLOUD;

    /** The lowercase id used in metrics, the ledger and the API ({@code local}, {@code cloud}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@code id} names this backend (as routes, jobs and the ledger store it). */
    public boolean is(String id) {
        return id().equals(id);
    }

    /**
     * Whether {@code id} names a paid cloud source: the default DashScope account {@code cloud}, or one more source
     * of the gateway's {@code gateway.cloud.sources[]}, whose names start with {@code cloud-} ({@code cloud-cn}).
     */
    public static boolean isCloud(String id) {
        return id != null && (CLOUD.is(id) || id.startsWith(CLOUD.id() + "-"));
    }

    public static Backend parse(String id) {
        for (Backend b : values()) {
            if (b.id().equalsIgnoreCase(id == null ? "" : id.trim())) {
                return b;
            }
        }
        throw new IllegalArgumentException("backend must be local or cloud, was '" + id + "'");
    }
}
