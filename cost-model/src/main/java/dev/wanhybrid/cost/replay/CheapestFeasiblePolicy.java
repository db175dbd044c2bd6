package dev.wanhybrid.cost.replay;

import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;

/**
 * Baseline {@code cheapest-feasible}: the router's rules before it had a scheduler. Of the options whose estimated
 * time (local: planned wait plus service; cloud: latency) meets the deadline, take the cheapest estimate (local:
 * marginal cost; cloud: list price), local first on a tie; no margin, no opportunity cost. When none meets the
 * deadline the job goes to whichever option finishes first and the miss is counted.
 */
public class CheapestFeasiblePolicy implements ReplayPolicy {

    @Override
    public Decision decide(TraceJob job, View view) {
        record Option(String backend, String model, java.math.BigDecimal cost, Duration time) {}
        java.util.List<Option> options = new java.util.ArrayList<>();
        for (ReplayCatalog.LocalOption l : view.local()) {
            if (admitLocal(job, l, view)) {
                options.add(new Option("local", l.model(), l.marginal().amount(),
                        view.localWait().plus(Duration.ofMillis((long) (l.gpuSeconds() * 1000)))));
            }
        }
        view.cloud().ifPresent(c -> options.add(new Option("cloud", c.model(), c.price().amount(), c.latency())));
        Comparator<Option> byCost = Comparator.comparing(Option::cost);
        Comparator<Option> order = byCost.thenComparing(Option::time).thenComparing(o -> o.backend().equals("local") ? 0 : 1);
        Optional<Option> feasible = options.stream().filter(o -> o.time().compareTo(job.deadline()) <= 0).min(order);
        if (feasible.isPresent()) {
            Option o = feasible.get();
            return new Decision(o.backend(), o.model(), o.backend().equals("local") ? "cheapest" : reasonForCloud(job, view));
        }
        Option fastest = options.stream().min(Comparator.comparing(Option::time)).orElseThrow(
                () -> new IllegalStateException("no model can make " + job));
        return new Decision(fastest.backend(), fastest.model(), "deadline_unmeetable");
    }

    /** Hook for stricter local admission; the router's rule admits every capable local option. */
    protected boolean admitLocal(TraceJob job, ReplayCatalog.LocalOption option, View view) {
        return true;
    }

    private static String reasonForCloud(TraceJob job, View view) {
        if (job.audio()) {
            return "audio_requires_cloud";
        }
        if (view.local().isEmpty()) {
            return job.kind().equals("i2v") ? "i2v_requires_cloud" : "size_requires_cloud";
        }
        return "deadline";
    }

    @Override
    public String name() {
        return "cheapest-feasible";
    }
}
