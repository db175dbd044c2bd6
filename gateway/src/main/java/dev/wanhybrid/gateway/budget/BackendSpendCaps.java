package dev.wanhybrid.gateway.budget;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Monthly spend limits of single backends (a further DashScope source's {@code monthly-budget-usd}), besides the
 * tenant and global caps: what that backend has spent and holds this month (budget time zone) counts against it,
 * so the router rules the backend out once a job's estimate no longer fits and buys from another source. Published
 * by the configuration that owns the backend.
 */
@FunctionalInterface
public interface BackendSpendCaps {

    /** USD per budget month, by backend id. */
    Map<String, BigDecimal> monthlyUsd();
}
