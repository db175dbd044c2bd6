package dev.wanhybrid.gateway.routing;

import java.util.List;

/** No backend can run a request; carries the HTTP status, the request field at fault and every rejection. */
public class NoRouteException extends Exception {

    private final int httpStatus;
    private final String param;
    private final String code;
    private final List<RejectedCandidate> rejected;

    public NoRouteException(int httpStatus, String param, String code, String message,
            List<RejectedCandidate> rejected) {
        super(message);
        this.httpStatus = httpStatus;
        this.param = param;
        this.code = code;
        this.rejected = List.copyOf(rejected);
    }

    /** 400/422 when the request cannot be served by any model, 402 over budget, 503 when capable backends are down. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The request field at fault (e.g. {@code size}, {@code seconds}, {@code audio}), or {@code null}. */
    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    public List<RejectedCandidate> rejected() {
        return rejected;
    }
}
