package dev.wanhybrid.gateway.routing;

/** The fixed vocabulary for why a route chose its first candidate; also the {@code reason} metric tag. */
public enum RouteReason {
    /** The caller pinned the backend with {@code routing.backend}. */
    PINNED("pinned"),
    /** The caller set {@code routing.local_only}. */
    LOCAL_ONLY("local_only"),
    /** The request names a LoRA that only the in-JVM engine's models apply. */
    LORA_REQUIRES_LOCAL("lora_requires_local"),
    /** The request names a LoRA that only remote self-hosted models apply ({@code gateway.remote-engines[].models[].loras}). */
    LORA_REQUIRES_REMOTE("lora_requires_remote"),
    /** The caller named a retired model and the catalog is configured to run its successor instead. */
    RETIRED_MODEL_SUCCESSOR("retired_model_successor"),
    /** The caller named a concrete model. */
    MODEL_REQUESTED("model_requested"),
    /** Only cloud models do image-to-video. */
    I2V_REQUIRES_CLOUD("i2v_requires_cloud"),
    /** No self-hosted model (in-JVM or remote) produces sound; the cloud does. */
    AUDIO_REQUIRES_CLOUD("audio_requires_cloud"),
    /** The clip is longer than local models produce. */
    SECONDS_REQUIRES_CLOUD("seconds_requires_cloud"),
    /** The size (e.g. 1080p) is only produced in the cloud. */
    SIZE_REQUIRES_CLOUD("size_requires_cloud"),
    /** The in-JVM engine does not do image-to-video; a remote self-hosted server does. */
    I2V_REQUIRES_REMOTE("i2v_requires_remote"),
    /** The in-JVM engine makes silent video; a remote self-hosted model makes the sound. */
    AUDIO_REQUIRES_REMOTE("audio_requires_remote"),
    /** The clip is longer than the in-JVM engine produces; a remote self-hosted model produces it. */
    SECONDS_REQUIRES_REMOTE("seconds_requires_remote"),
    /** The size is not produced by the in-JVM engine; a remote self-hosted model produces it. */
    SIZE_REQUIRES_REMOTE("size_requires_remote"),
    /** A remote self-hosted server could not be used (breaker open, full): another backend takes it. */
    REMOTE_UNAVAILABLE("remote_unavailable"),
    /** The cloud could not be used (breaker open, not configured): fell back to local. */
    CLOUD_UNAVAILABLE("cloud_unavailable"),
    /** The local engine could not be used: fell back to the cloud. */
    LOCAL_UNAVAILABLE("local_unavailable"),
    /** The preferred candidate would miss the deadline. */
    DEADLINE("deadline"),
    /**
     * Local was cheaper, but saved less per GPU-second than the GPU's shadow price (better-paying work is expected on
     * it): the cloud takes it.
     */
    OPPORTUNITY_COST("opportunity_cost"),
    /**
     * Local saves more than the GPU's shadow price but fits the deadline only on its expected time: it runs locally
     * hedged, and leaves for the cloud at its hedge point if it would be late ({@code gateway.routing.hedging}).
     */
    HEDGED("hedged"),
    /**
     * Local saves more than the GPU's shadow price, but no GPU could start it in time: a running job due later is
     * suspended at its next step boundary and resumes after it, both still in time ({@code gateway.routing.preemption});
     * the route's {@code preempts} names that run. (A hedged job that pre-empts says {@code hedged}.)
     */
    PREEMPT("preempt"),
    /** The preferred candidate costs more than {@code max_cost_usd}. */
    OVER_MAX_COST("over_max_cost"),
    /** The preferred candidate does not fit under the remaining budget. */
    BUDGET("budget"),
    /**
     * Every option at the size asked for was over a spent budget whose policy is {@code lower_tier}: the request
     * runs at the smaller size the caller allowed ({@code routing.lower_tier_size}); the route's {@code lower_tier}
     * says from what to what.
     */
    LOWER_TIER("lower_tier"),
    /**
     * Every option was over a spent budget whose policy is {@code queue} (or on an owned engine that is busy or
     * down): the job was accepted and waits, durably, for an owned engine with room, the budget's next period or a
     * raised cap; the candidates are those it would take once the budget allowed it.
     */
    BUDGET_QUEUED("budget_queued"),
    /** Cheapest feasible candidate (objective {@code cost}). */
    CHEAPEST("cheapest"),
    /** Fastest feasible candidate (objective {@code latency}). */
    FASTEST("fastest");

    private final String code;

    RouteReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Whether the choice departs from the preferred backend because something was unavailable or over budget. */
    public boolean isFallback() {
        return this == CLOUD_UNAVAILABLE || this == LOCAL_UNAVAILABLE || this == REMOTE_UNAVAILABLE || this == BUDGET;
    }
}
