package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.LocalSchedule;
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
 */
public record LocalPlanState(LocalSchedule plan, DemandWindow demand, LocalAdmission admission, double clock,
        long jobId) {

    public LocalPlanState {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(demand, "demand");
        Objects.requireNonNull(admission, "admission");
    }
}
