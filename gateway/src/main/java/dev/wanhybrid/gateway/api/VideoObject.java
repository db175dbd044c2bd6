package dev.wanhybrid.gateway.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wanhybrid.gateway.generation.VideoOrigin;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobRoute;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/**
 * The OpenAI video object, plus the gateway's extensions ({@code route}, {@code cost_usd}, {@code backend},
 * {@code progress_estimated}: true while {@code progress} is an estimate from elapsed time, not a backend's count);
 * clients that ignore unknown fields keep working.
 */
record VideoObject(
        @JsonProperty("id") String id,
        @JsonProperty("object") String object,
        @JsonProperty("model") String model,
        @JsonProperty("status") String status,
        @JsonProperty("progress") int progress,
        @JsonProperty("progress_estimated") boolean progressEstimated,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("completed_at") Long completedAt,
        @JsonProperty("expires_at") Long expiresAt,
        @JsonProperty("prompt") String prompt,
        @JsonProperty("seconds") String seconds,
        @JsonProperty("size") String size,
        @JsonProperty("remixed_from_video_id") String remixedFromVideoId,
        @JsonProperty("error") VideoError error,
        @JsonProperty("backend") String backend,
        @JsonProperty("route") RouteView route,
        @JsonProperty("cost_usd") BigDecimal costUsd,
        @JsonProperty("backend_wait") BackendWait backendWait,
        @JsonProperty("budget_wait") BudgetWait budgetWait) {

    /**
     * A job accepted under a spent budget whose policy is {@code queue}, while it waits: the cap, when its period
     * resets, when the job is routed again, and when it gives up (and which setting says so).
     */
    record BudgetWait(@JsonProperty("cap") String cap, @JsonProperty("resets_at") Long resetsAt,
            @JsonProperty("next_attempt_at") Long nextAttemptAt, @JsonProperty("gives_up_at") long givesUpAt,
            @JsonProperty("bound") String bound, @JsonProperty("detail") String detail) {

        static BudgetWait of(Job job) {
            JobRoute.BudgetWait wait = job.waitingForBudget();
            if (wait == null) {
                return null;
            }
            return new BudgetWait(wait.cap(), wait.resetsAt(),
                    job.nextAttemptAt() == null ? null : job.nextAttemptAt().getEpochSecond(), wait.givesUpAt(),
                    wait.bound(), wait.detail());
        }
    }

    /**
     * A queued job that its backend could not take yet (refused, throttled or down, with no fallback within the
     * job's cost ceiling): which candidate it waits for, how many submissions were tried, and when the next is.
     */
    record BackendWait(@JsonProperty("backend") String backend, @JsonProperty("model") String model,
            @JsonProperty("attempts") int attempts, @JsonProperty("next_attempt_at") Long nextAttemptAt) {

        static BackendWait of(Job job) {
            if (job.phase() != dev.wanhybrid.gateway.jobs.JobPhase.QUEUED || job.attempts() == 0
                    || job.cancelRequested()) {
                return null;
            }
            return new BackendWait(job.backend(), job.model(), job.attempts(),
                    job.nextAttemptAt() == null ? null : job.nextAttemptAt().getEpochSecond());
        }
    }


    /** Why a video failed or was cancelled. */
    record VideoError(@JsonProperty("code") String code, @JsonProperty("message") String message) {}

    /**
     * The routing explanation: the chosen candidate, why, the estimates, what was ruled out and any fallbacks; for
     * a video derived from another ({@code mapping}), how the OpenAI operation maps onto what Wan models do.
     */
    record RouteView(
            @JsonProperty("backend") String backend,
            @JsonProperty("model") String model,
            @JsonProperty("reason") String reason,
            @JsonProperty("estimated_cost_usd") BigDecimal estimatedCostUsd,
            @JsonProperty("estimated_seconds") Long estimatedSeconds,
            @JsonProperty("candidates") List<JobRoute.Candidate> candidates,
            @JsonProperty("rejected") List<RejectedCandidate> rejected,
            @JsonProperty("fallbacks") List<JobRoute.Fallback> fallbacks,
            @JsonProperty("mapping") String mapping,
            @JsonProperty("lower_tier") JobRoute.LowerTier lowerTier,
            @JsonProperty("hedge") JobRoute.Hedge hedge,
            @JsonProperty("preempts") JobRoute.Preempts preempts) {}

    /**
     * How a derived video's operation, or a create that casts characters, was carried out, in words; {@code null}
     * for a plain create.
     */
    static String mapping(dev.wanhybrid.gateway.generation.GenerationSpec spec) {
        VideoOrigin origin = spec.origin();
        List<String> cast = spec.media().stream().map(dev.wanhybrid.gateway.generation.MediaInput::characterId)
                .filter(java.util.Objects::nonNull).toList();
        String characters = cast.isEmpty() ? null : "characters " + String.join(", ", cast) + ": each character's"
                + " reference clip sent, in this order, as a reference_video media item to a reference-to-video"
                + " model (mode " + dev.wanhybrid.cloud.catalog.VideoMode.REFERENCE_TO_VIDEO.id() + ") with the"
                + " prompt";
        if (origin == null) {
            return characters;
        }
        String derived = derivedMapping(origin);
        return characters == null ? derived : derived + "; " + characters;
    }

    private static String derivedMapping(VideoOrigin origin) {
        return switch (origin.relation()) {
            case REMIX -> "remix of " + origin.videoId() + ": its model, size, seconds, seed, sound and image input"
                    + " with the new prompt, routed as a new video";
            case EXTENSION -> "extension of " + origin.videoId() + ": its last frame continued as image-to-video"
                    + " with the new prompt (no model in the catalog extends a video natively); the result is the"
                    + " continuation";
            case EDIT -> "edit of " + origin.videoId() + ": the video sent to a video-editing model (" + "mode "
                    + dev.wanhybrid.cloud.catalog.VideoMode.VIDEO_EDIT.id() + ", media type video) with the new"
                    + " prompt as the instruction, at the editing model's resolution, routed as a new video";
        };
    }

    /**
     * @param defaultSize the size a model renders when the request named none (the OpenAI object always has one)
     */
    static VideoObject of(Job job, Duration retention, java.util.function.Function<String, String> defaultSize) {
        JobRoute.Candidate current = job.currentCandidate();
        RouteView route = new RouteView(job.backend(), job.model(), job.route().reason(), current.estimatedCostUsd(),
                current.estimatedSeconds(), job.route().candidates(), job.route().rejected(),
                job.route().fallbacks(), mapping(job.spec()), job.route().lowerTier(), job.route().hedge(),
                job.route().preempts());
        VideoError error = job.errorCode() == null ? null : new VideoError(job.errorCode(), job.errorMessage());
        Long completedAt = job.completedAt() == null ? null : job.completedAt().getEpochSecond();
        Long expiresAt = job.completedAt() == null || job.resultKey() == null ? null
                : job.completedAt().plus(retention).getEpochSecond();
        // DashScope reports no progress: a cloud job's is estimated from the time it has taken so far.
        boolean estimated = dev.wanhybrid.cost.Backend.isCloud(job.backend()) && !job.phase().isTerminal();
        return new VideoObject(job.id(), "video", job.model(), job.status().wire(), job.progress(), estimated,
                job.createdAt().getEpochSecond(), completedAt, expiresAt, job.spec().prompt(),
                Integer.toString(job.spec().seconds()),
                job.spec().size() == null ? defaultSize.apply(job.model()) : job.spec().size().toString(),
                remixedFrom(job.spec().origin()), error, job.backend(), route, job.actualUsd(), BackendWait.of(job),
                BudgetWait.of(job));
    }

    private static String remixedFrom(VideoOrigin origin) {
        return origin != null && origin.relation() == VideoOrigin.Relation.REMIX ? origin.videoId() : null;
    }
}
