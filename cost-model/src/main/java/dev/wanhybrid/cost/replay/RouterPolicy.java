package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import java.util.List;

/**
 * The routing core the gateway's router runs ({@link LocalAdmission}), on the replay's options and plan. With the
 * gateway's default settings ({@link LocalAdmission#gatewayDefaults()}: hedging and pre-emption on) it is the
 * replay's default strategy, named {@code router}; other settings are named after what they leave out or add. It
 * keeps the recent demand itself, so use one instance per run.
 */
public final class RouterPolicy implements RoutingCorePolicy {

    /** The gateway's router with its default settings: the strategy's name in reports and in the replay's JSON. */
    public static final String NAME = "router";

    /**
     * The router with hedging and without pre-emption ({@code gateway.routing.preemption: false}): the replay moves a
     * hedged job to the cloud at its hedge point, as the gateway's dispatcher does.
     */
    public static final String HEDGED = "router-hedged";

    /**
     * The router with neither hedging nor pre-emption ({@code gateway.routing.hedging: false},
     * {@code gateway.routing.preemption: false}): the gateway's default router until stop 34, kept as a baseline.
     */
    public static final String UNHEDGED = "router-unhedged";

    /** The router with pre-emption and without hedging ({@code gateway.routing.hedging: false}). */
    public static final String PREEMPTING = "router-preempt";

    private final LocalAdmission admission;
    private final DemandWindow demand = new DemandWindow();

    /** The gateway's router with its default settings: {@value #NAME}. */
    public RouterPolicy() {
        this(LocalAdmission.gatewayDefaults());
    }

    /** Hedging without pre-emption: {@value #HEDGED}. */
    public static RouterPolicy hedged() {
        return new RouterPolicy(new LocalAdmission().withHedging(true));
    }

    /** Neither hedging nor pre-emption: {@value #UNHEDGED}. */
    public static RouterPolicy unhedged() {
        return new RouterPolicy(new LocalAdmission());
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
