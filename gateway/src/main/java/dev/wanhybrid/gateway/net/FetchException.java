package dev.wanhybrid.gateway.net;

import java.io.IOException;

/** A guarded fetch that failed after the URL was admitted: too large, too slow, or an error status. */
public class FetchException extends IOException {

    private final String param;
    private final String reason;

    public FetchException(String param, String reason, String message, Throwable cause) {
        super(message, cause);
        this.param = param;
        this.reason = reason;
    }

    public String param() {
        return param;
    }

    /** {@code too_large}, {@code timeout}, {@code http_status} or {@code io}. */
    public String reason() {
        return reason;
    }
}
