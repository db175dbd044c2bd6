package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.LocalSchedule;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import java.util.Map;
import java.util.Objects;

/**
 * The routing core's state for one decision: the fleet's deadline-ordered plan, the recent demand, and the
 * admission rule that weighs a job against them ({@link LocalAdmission}, the code the replay runs).
 *
 * @param plan the local plan; the router reads it, the caller enqueues the job the route sends locally
 * @param demand the recent local demand; the decision records the job in it
 * @param admission the admission rule
 * @param clock the plan's clock at the decision instant, in seconds
 * @param jobId the job's id in the plan
 * @param runs the local backend's tasks by their ids in the plan, for a verdict that suspends one; empty where the
 *     plan's ids are the tasks' own (the replay's)
 */
public record LocalPlanState(LocalSchedule plan, DemandWindow demand, LocalAdmission admission, double clock,
        long jobId, Map<Long, LocalQueueState.Run> runs) {

    public LocalPlanState {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(demand, "demand");
        Objects.requireNonNull(admission, "admission");
        runs = runs == null ? Map.of() : runs; // not copied: built for this decision, and large with a long queue
    }

    /** A plan whose job ids are the tasks' own. */
    public LocalPlanState(LocalSchedule plan, DemandWindow demand, LocalAdmission admission, double clock, long jobId) {
        this(plan, demand, admission, clock, jobId, Map.of());
    }

    /** The local task id of the plan's job {@code id}: the backend's, or the id itself where the plan uses tasks' own. */
    public String taskOf(long id) {
        LocalQueueState.Run run = runs.get(id);
        return run == null ? Long.toString(id) : run.taskId();
    }

    /** The gateway job of the plan's job {@code id}, or {@code null} where the plan does not know it. */
    public String jobOf(long id) {
        LocalQueueState.Run run = runs.get(id);
        return run == null ? null : run.jobId();
    }
}
