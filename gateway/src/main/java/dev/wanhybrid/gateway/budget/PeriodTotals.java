package dev.wanhybrid.gateway.budget;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settled spend of one period (a budget day or month) added up: what it cost, what the same jobs would have
 * cost all-cloud, and the difference, the saving. The one place these sums are made, for {@code /v1/cost/summary},
 * the ops page and the period meters.
 *
 * @param videos settled jobs
 * @param actualUsd what they cost
 * @param allCloudUsd what they would have cost without our GPUs (see {@link SpendTotals#listUsd()})
 * @param byBackend actual spend per backend
 * @param byModel actual spend per model
 */
public record PeriodTotals(long videos, BigDecimal actualUsd, BigDecimal allCloudUsd, Map<String, BigDecimal> byBackend,
        Map<String, BigDecimal> byModel) {

    public PeriodTotals {
        byBackend = Collections.unmodifiableMap(new TreeMap<>(byBackend));
        byModel = Collections.unmodifiableMap(new TreeMap<>(byModel));
    }

    /** Saved against all-cloud: all-cloud minus actual; negative when our GPUs cost more than the cloud would have. */
    public BigDecimal savingsUsd() {
        return allCloudUsd.subtract(actualUsd);
    }

    public static PeriodTotals of(List<SpendTotals> rows) {
        Map<String, BigDecimal> byBackend = new TreeMap<>();
        Map<String, BigDecimal> byModel = new TreeMap<>();
        BigDecimal actual = BigDecimal.ZERO;
        BigDecimal allCloud = BigDecimal.ZERO;
        long videos = 0;
        for (SpendTotals t : rows) {
            byBackend.merge(t.backend(), t.actualUsd(), BigDecimal::add);
            byModel.merge(t.model(), t.actualUsd(), BigDecimal::add);
            actual = actual.add(t.actualUsd());
            allCloud = allCloud.add(t.listUsd());
            videos += t.videos();
        }
        return new PeriodTotals(videos, actual, allCloud, byBackend, byModel);
    }
}
