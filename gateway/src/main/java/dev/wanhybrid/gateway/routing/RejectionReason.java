package dev.wanhybrid.gateway.routing;

/**
 * Why the router ruled a candidate out: a fixed code (used in routes and metric tags), the stage that decided it,
 * and the request field a caller would change to fix it.
 */
public enum RejectionReason {
    /** Routing policy: the caller keeps data on our machines. */
    LOCAL_ONLY("local_only", Stage.POLICY, "routing.local_only"),
    /** Routing policy: the caller pinned the other backend. */
    PINNED_ELSEWHERE("pinned_elsewhere", Stage.POLICY, "routing.backend"),
    /** The cloud model is retired (or not yet released) on the day of the request: it is never sent. */
    MODEL_RETIRED("model_retired", Stage.POLICY, "model"),
    /** The model does not apply the requested LoRA (Wan 2.1 on the local engine, every cloud model). */
    LORA_UNSUPPORTED("lora_unsupported", Stage.CAPABILITY, "lora"),
    /** The model does not do this task kind (image-to-video needs an i2v model). */
    KIND_UNSUPPORTED("kind_unsupported", Stage.CAPABILITY, "input_reference"),
    /** The model cannot produce the wanted sound. */
    AUDIO_UNSUPPORTED("audio_unsupported", Stage.CAPABILITY, "audio"),
    /** The model does not produce this frame size. */
    SIZE_UNSUPPORTED("size_unsupported", Stage.CAPABILITY, "size"),
    /** The model does not produce clips of this length. */
    SECONDS_UNSUPPORTED("seconds_unsupported", Stage.CAPABILITY, "seconds"),
    /** The backend is not configured or not ready (no weights, no key, no worker). */
    NOT_READY("not_ready", Stage.HEALTH, null),
    /** The backend's circuit breaker is open or forced open. */
    BREAKER_OPEN("breaker_open", Stage.HEALTH, null),
    /** The local queue is at capacity. */
    QUEUE_FULL("queue_full", Stage.HEALTH, null),
    /** The backend is up but has another model loaded. */
    MODEL_NOT_LOADED("model_not_loaded", Stage.HEALTH, null),
    /** The estimate is above the caller's {@code max_cost_usd}. */
    OVER_MAX_COST("over_max_cost", Stage.CONSTRAINT, "routing.max_cost_usd"),
    /** The estimate is above what is left under a budget cap. */
    BUDGET("budget", Stage.CONSTRAINT, null),
    /** The estimated time to a finished video is beyond the caller's deadline. */
    DEADLINE("deadline", Stage.CONSTRAINT, "routing.deadline_seconds");

    /** The routing stage at which a candidate was ruled out, in the order they run. */
    public enum Stage {
        POLICY,
        CAPABILITY,
        HEALTH,
        CONSTRAINT
    }

    private final String code;
    private final Stage stage;
    private final String param;

    RejectionReason(String code, Stage stage, String param) {
        this.code = code;
        this.stage = stage;
        this.param = param;
    }

    public String code() {
        return code;
    }

    public Stage stage() {
        return stage;
    }

    /** The request field a caller would change, or {@code null} when it is not the caller's to fix. */
    public String param() {
        return param;
    }

    /** Looks a code up; unknown codes give {@code null}. */
    public static RejectionReason ofCode(String code) {
        for (RejectionReason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        return null;
    }
}
