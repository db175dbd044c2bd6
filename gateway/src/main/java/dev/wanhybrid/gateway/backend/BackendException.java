package dev.wanhybrid.gateway.backend;

import java.time.Duration;

/** A backend call that did not succeed, classified so the dispatcher knows whether to retry, fall back or hold. */
public class BackendException extends Exception {

    /** Why the call failed; decides what the dispatcher does next. */
    public enum Kind {
        /** The backend declined before accepting (not ready, breaker open, over a limit): try the next candidate. */
        REFUSED,
        /** Transient failure known not to have created a task (5xx before acceptance, connect refused). */
        UNAVAILABLE,
        /** Rate or quota limit; honour {@link #retryAfter()}. */
        THROTTLED,
        /** The request itself is wrong for this backend; retrying cannot help. */
        INVALID_INPUT,
        /** Content moderation rejected the input or output. */
        CONTENT_POLICY,
        /** Credentials missing or rejected. */
        AUTH,
        /** The request may have been accepted, but the answer was lost: reconcile, never resubmit blindly. */
        ACCEPTANCE_UNKNOWN,
        /**
         * The backend is healthy but cannot decide yet (a lost submission whose task cannot be told apart from
         * others so far): ask again later. Our bookkeeping, not a backend failure, so no breaker counts it.
         */
        UNDECIDED,
        /** Anything else. */
        UNKNOWN
    }

    private final Kind kind;
    private final String code;
    private final Duration retryAfter;

    public BackendException(Kind kind, String code, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public BackendException(Kind kind, String code, String message) {
        this(kind, code, message, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The provider's or engine's error code, when there is one. */
    public String code() {
        return code;
    }

    /** How long the backend asked us to wait, or {@code null}. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** True when another attempt on the same backend may succeed. */
    public boolean isRetryable() {
        return kind == Kind.UNAVAILABLE || kind == Kind.THROTTLED;
    }
}
