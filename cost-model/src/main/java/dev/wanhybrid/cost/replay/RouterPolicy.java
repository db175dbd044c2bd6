package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import java.util.List;

/**
 * The routing core the gateway's router runs ({@link LocalAdmission}), on the replay's options and plan: the
 * replay's default strategy, named {@code router}. It keeps the recent demand itself, so use one instance per run.
 */
public final class RouterPolicy implements RoutingCorePolicy {

    /** The strategy's name in reports and in the replay's JSON. */
    public static final String NAME = "router";

    /**
     * The same router with hedging on ({@link LocalAdmission#hedging()}): the replay moves a hedged job to the cloud
     * at its hedge point, as the gateway's dispatcher does with {@code gateway.routing.hedging} on.
     */
    public static final String HEDGED = "router-hedged";

    /**
     * The hedged router that also suspends running jobs at a step boundary and resumes them later
     * ({@link LocalAdmission#withPreemptibleWork}); the gateway runs it with {@code gateway.routing.hedging} and
     * {@code gateway.routing.preemption} on.
     */
    public static final String HEDGED_PREEMPTING = HEDGED + "-preempt";

    private final LocalAdmission admission;
    private final DemandWindow demand = new DemandWindow();

    public RouterPolicy() {
        this(new LocalAdmission());
    }

    /** The router with hedging on: {@value #HEDGED}. */
    public static RouterPolicy hedged() {
        return new RouterPolicy(new LocalAdmission().withHedging(true));
    }

    /** The hedged router with pre-emption: {@value #HEDGED_PREEMPTING}. */
    public static RouterPolicy hedgedPreempting() {
        return new RouterPolicy(new LocalAdmission().withHedging(true).withPreemptibleWork(true));
    }

    public RouterPolicy(LocalAdmission admission) {
        this.admission = admission;
    }

    @Override
    public Decision decide(TraceJob job, View view) {
        List<LocalAdmission.LocalOption> local = view.local().stream().map(ReplayCatalog.LocalOption::toAdmission)
                .toList();
        LocalAdmission.Verdict v = admission.decide(view.id(), view.clock(), job.deadline().toMillis() / 1000.0,
                local, view.cloud().map(ReplayCatalog.CloudOption::toAdmission), view.plan(), demand);
        return new Decision(v.local() ? "local" : "cloud", v.model(), v.reason(),
                v.job() == null ? Double.NaN : v.job().hedgeAt(), v.suspend() == null ? -1 : v.suspend().id(),
                admission.suspendOverheadSeconds());
    }

    @Override
    public LocalAdmission admission() {
        return admission;
    }
}
