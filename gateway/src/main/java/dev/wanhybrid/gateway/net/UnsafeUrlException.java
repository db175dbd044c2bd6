package dev.wanhybrid.gateway.net;

/**
 * A caller-supplied URL the gateway refuses to contact; carries the request field so the API can answer 400 naming
 * it. The message never echoes resolved addresses.
 */
public class UnsafeUrlException extends RuntimeException {

    private final String param;
    private final String reason;

    public UnsafeUrlException(String param, String reason, String message) {
        super(message);
        this.param = param;
        this.reason = reason;
    }

    /** The request field, e.g. {@code input_reference.image_url} or {@code webhook_url}. */
    public String param() {
        return param;
    }

    /** A fixed code: {@code scheme}, {@code userinfo}, {@code no_host}, {@code blocked_host}, {@code blocked_address},
     * {@code ip_literal_noncanonical}, {@code unresolvable}, {@code too_many_redirects}. */
    public String reason() {
        return reason;
    }
}
