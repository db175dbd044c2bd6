package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import java.util.List;

/**
 * The routing core the gateway's router runs ({@link LocalAdmission}), on the replay's options and plan: the
 * replay's default strategy, named {@code router}. It keeps the recent demand itself, so use one instance per run.
 */
public final class RouterPolicy implements ReplayPolicy {

    /** The strategy's name in reports and in the replay's JSON. */
    public static final String NAME = "router";

    private final LocalAdmission admission;
    private final DemandWindow demand = new DemandWindow();

    public RouterPolicy() {
        this(new LocalAdmission());
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
        return new Decision(v.local() ? "local" : "cloud", v.model(), v.reason());
    }

    @Override
    public boolean readsLocalWait() {
        return false;
    }

    @Override
    public String name() {
        return NAME;
    }
}
