package dev.wanhybrid.gateway.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses hedging while the cloud is slower than the rescue margin allows, so that hedging on by default can never
 * cost more deadlines than a short lag behind the cloud's real behaviour.
 *
 * <p>Why: a hedged job runs locally on its expected time and, if it would be late, leaves for the cloud at its hedge
 * point (its deadline less the cloud's latency times {@code gateway.routing.hedge-rescue-margin}). That rescue is in
 * time only while the cloud takes at most the margin times the latency the router planned on. The replay measured
 * hedging with the cloud's latency drawn around the planned one and found it ahead of the unhedged router on
 * average (docs/routing.md); a real cloud may be slower in ways the replay did not draw. Every cloud job the router
 * sent there directly says how the cloud behaves now: its time on the cloud over the time planned when it was routed
 * (the same ratio as {@code gateway.cloud.latency.vs.planned{sent="routed"}}).
 *
 * <p>How: the last {@value #WINDOW} such ratios are kept. Once at least {@value #MINIMUM} are known and more than
 * {@code gateway.routing.hedge-pause-share} of them (default 0.25) are above the rescue margin, new routes are made
 * without hedging (the admission rule of {@code gateway.routing.hedging: false}); hedging resumes when the share falls
 * to half of that. Routes already hedged keep their hedge point. Gauge {@code gateway.routing.hedging.active} (1 or
 * 0); a WARN on each change. Each gateway instance judges from the jobs it completed.
 *
 * <p>Why 0.25: with the cloud's time drawn log-normally around the plan, hedging at margin 1.5 met more deadlines
 * than the unhedged router on the replay's deadline-spread trace up to a spread (sigma) of 0.5, where 21 % of the
 * jobs are above the margin (docs/benchmarks/routing-gap.md). At 0.25, over 30 seeds of 5,000 jobs, the guard never
 * pauses at spread 0.25, pauses 1-9 % of the time at 0.35, 50-75 % at 0.5 and 84-95 % at 0.6; a cloud that turns
 * two or three times slower than its plan pauses it within 16 jobs. So it is conservative: at 0.5 it gives up part
 * of a saving the replay found safe, because a window of 50 cannot tell 21 % late from 25 % late.
 */
public class HedgeGuard {

    private static final Logger log = LoggerFactory.getLogger(HedgeGuard.class);

    /** Ratios kept: enough that one slow job moves the share by 2 points, few enough to follow a change in minutes. */
    public static final int WINDOW = 50;

    /** Ratios needed before the guard judges at all. */
    public static final int MINIMUM = 20;

    /** {@code gateway.routing.hedge-pause-share} unless set. */
    public static final double DEFAULT_PAUSE_SHARE = 0.25;

    private final double rescueMargin;
    private final double pauseShare;
    private final boolean[] late = new boolean[WINDOW];
    private int next;
    private int count;
    private int lateCount;
    private volatile boolean paused;

    /**
     * @param rescueMargin the rescue margin the hedge points are made with
     * @param pauseShare the share of late-for-a-rescue cloud jobs above which hedging pauses, in (0, 1]
     */
    public HedgeGuard(double rescueMargin, double pauseShare) {
        if (!(pauseShare > 0 && pauseShare <= 1)) {
            throw new IllegalArgumentException("gateway.routing.hedge-pause-share must be above 0 and at most 1: "
                    + pauseShare);
        }
        this.rescueMargin = rescueMargin;
        this.pauseShare = pauseShare;
    }

    /** Registers {@code gateway.routing.hedging.active}. */
    public HedgeGuard withGauge(MeterRegistry registry) {
        Gauge.builder("gateway.routing.hedging.active", this, g -> g.paused ? 0 : 1)
                .description("1 while new routes may be hedged, 0 while the hedge guard pauses hedging because the "
                        + "cloud is slower than the rescue margin allows")
                .register(registry);
        return this;
    }

    /** A cloud job the router sent there directly completed: its time on the cloud over the time planned for it. */
    public synchronized void routedCloudJobTook(double ratioToPlanned) {
        boolean isLate = ratioToPlanned > rescueMargin;
        if (count == WINDOW) {
            if (late[next]) {
                lateCount--;
            }
        } else {
            count++;
        }
        late[next] = isLate;
        if (isLate) {
            lateCount++;
        }
        next = (next + 1) % WINDOW;
        if (count < MINIMUM) {
            return;
        }
        double share = (double) lateCount / count;
        if (!paused && share > pauseShare) {
            paused = true;
            log.warn("hedging paused: {} of the last {} cloud jobs took more than {} times the time planned for them,"
                    + " so a rescue at the hedge point could be late (gateway.routing.hedge-pause-share {})",
                    lateCount, count, rescueMargin, pauseShare);
        } else if (paused && share <= pauseShare / 2) {
            paused = false;
            log.warn("hedging resumed: {} of the last {} cloud jobs took more than {} times the time planned for them",
                    lateCount, count, rescueMargin);
        }
    }

    /** Whether new routes may be hedged now. */
    public boolean allowsHedging() {
        return !paused;
    }
}
