package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.LocalSchedule;

/**
 * A replay policy whose decisions end in the routing core ({@link LocalAdmission}): the replay's {@link RouterPolicy}
 * and the gateway's whole router behind the replay interface. Everything besides the decision comes from the same
 * admission rule, so both answer alike: the run to suspend at a queued job's latest start, whether it pre-empts and
 * at what overhead, and the strategy's name. The core plans on its own service times, not on the replay's local
 * wait.
 */
public interface RoutingCorePolicy extends ReplayPolicy {

    /** The routing core's rule this policy decides with. */
    LocalAdmission admission();

    @Override
    default LocalSchedule.Job suspensionFor(LocalSchedule.Job waiting, double clock, LocalSchedule plan) {
        return admission().suspensionFor(waiting, clock, plan);
    }

    @Override
    default boolean preempts() {
        return admission().preemption();
    }

    @Override
    default double suspendOverhead() {
        return admission().suspendOverheadSeconds();
    }

    @Override
    default boolean readsLocalWait() {
        return false;
    }

    /**
     * {@value RouterPolicy#NAME} with hedging and pre-emption (the gateway's defaults,
     * {@link LocalAdmission#gatewayDefaults()}); otherwise {@value RouterPolicy#HEDGED} (hedging only),
     * {@value RouterPolicy#PREEMPTING} (pre-emption only) or {@value RouterPolicy#UNHEDGED} (neither).
     */
    @Override
    default String name() {
        if (admission().hedging()) {
            return admission().preemption() ? RouterPolicy.NAME : RouterPolicy.HEDGED;
        }
        return admission().preemption() ? RouterPolicy.PREEMPTING : RouterPolicy.UNHEDGED;
    }
}
