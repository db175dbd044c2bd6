package dev.wanhybrid.gateway.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/** What the {@link SpendLedger} has recorded, read back for the cost endpoints, the ops page and the meters. */
public interface SpendReports {

    /** Told to listeners (the meters) after a settlement commits. */
    record SettledEvent(String jobId, String tenant, String backend, String model, BigDecimal actualUsd,
            BigDecimal listUsd) {}

    /** Settled spend grouped by backend, model and tenant, settled in [from, to); all tenants when tenant is null. */
    List<SpendTotals> totals(Instant from, Instant to, String tenant);

    /** Amount currently held by running jobs; all tenants when tenant is null. */
    BigDecimal reservedUsd(String tenant);

    /**
     * The seconds the provider billed for a settled job (output plus billed input video, as its usage reported
     * them), or empty while it is not settled or reported none.
     */
    default java.util.Optional<BigDecimal> billedSeconds(String jobId) {
        return java.util.Optional.empty();
    }

    /** GPU-seconds of local work settled in the window ending now. */
    BigDecimal localGpuSeconds(Duration window);

    /** Settled videos in the last 30 days, the observed monthly volume. */
    default long videosLast30Days() {
        return videosLast30Days(null);
    }

    /** Settled videos of one tenant (all when null) in the last 30 days. */
    long videosLast30Days(String tenant);

    /** Calls the listener after this instance's ledger commits a settlement, so a cached report can be refreshed. */
    void onSettled(Consumer<SettledEvent> listener);
}
