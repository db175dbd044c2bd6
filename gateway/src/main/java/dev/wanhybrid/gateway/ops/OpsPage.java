package dev.wanhybrid.gateway.ops;

import dev.wanhybrid.gateway.budget.BudgetStatus;
import dev.wanhybrid.gateway.budget.PeriodTotals;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.web.util.HtmlUtils;

/** Renders the ops page: plain HTML with inline CSS, every value escaped, nothing fetched from elsewhere. */
final class OpsPage {

    record Spend(String periodKey, PeriodTotals totals) {}

    record Decision(String backend, String reason, long count) {}

    record Breaker(String backend, String state, boolean ready, String detail) {}

    record BreakEven(BigDecimal perMonth, BigDecimal capacityPerMonth, boolean withinCapacity, long observedPerMonth,
            int gpus, String gpu, String unavailable) {}

    /**
     * @param hedging {@code on}, {@code paused} (the hedge guard paused it: the cloud is too slow for a rescue) or
     *     {@code off} ({@code gateway.routing.hedging: false})
     * @param virtualThreadStalls stalls the virtual thread watchdog ended since start ({@code -1}: not known)
     */
    record Model(Instant now, String timeZone, boolean demo, Spend today, Spend month, BigDecimal reservedUsd,
            List<BudgetStatus> budgets, List<Decision> decisions, List<Breaker> breakers, BreakEven breakEven,
            String hedging, long virtualThreadStalls) {}

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1f2933}
            header{background:#1f2933;color:#fff;padding:14px 28px;display:flex;align-items:baseline;gap:18px}
            header h1{font-size:20px;margin:0} header .meta{color:#9aa5b1;font-size:13px}
            .demo{background:#f0b429;color:#1f2933;font-weight:700;padding:2px 10px;border-radius:4px;font-size:13px}
            main{padding:20px 28px;display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:18px}
            section{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:14px 18px}
            section.wide{grid-column:1/-1}
            b.paused{color:#b42318}
            h2{font-size:15px;margin:0 0 10px;color:#334e68;text-transform:uppercase;letter-spacing:.04em}
            table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef2f6}
            th{color:#627d98;font-weight:600;font-size:12px} .num{text-align:right;font-variant-numeric:tabular-nums}
            .big{font-size:26px;font-weight:700} .muted{color:#829ab1}
            .CLOSED,.ready{color:#177245;font-weight:600} .OPEN,.FORCED_OPEN,.notready{color:#c0392b;font-weight:600}
            .HALF_OPEN{color:#b7791f;font-weight:600}
            img{max-width:100%;height:auto;border:1px solid #eef2f6}
            """;

    private OpsPage() {}

    static String render(Model m) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Wan Hybrid Gateway: ops</title>")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><style>").append(CSS)
                .append("</style></head><body><header><h1>Wan Hybrid Gateway: ops</h1><span class=\"meta\">")
                .append(e(m.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())).append(" (budget time zone ").append(e(m.timeZone())).append(")</span>");
        if (m.demo()) {
            h.append("<span class=\"demo\" id=\"demo\">demo output: simulator and demo engine</span>");
        }
        h.append("</header><main>");
        spend(h, "Spend today", "spend-today", m.today());
        spend(h, "Spend this month", "spend-month", m.month());

        h.append("<section id=\"budgets\"><h2>Budgets</h2>");
        if (m.budgets().isEmpty()) {
            h.append("<p class=\"muted\">No caps configured.</p>");
        } else {
            h.append("<table><tr><th>cap</th><th>period</th><th class=\"num\">limit</th><th class=\"num\">committed</th><th class=\"num\">remaining</th></tr>");
            for (BudgetStatus b : m.budgets()) {
                h.append("<tr><td>").append(e(b.cap().name())).append("</td><td>").append(e(b.periodKey()))
                        .append("</td><td class=\"num\">").append(usd(b.cap().limit().amount()))
                        .append("</td><td class=\"num\">").append(usd(b.committedUsd()))
                        .append("</td><td class=\"num remaining\">").append(usd(b.remainingUsd())).append("</td></tr>");
            }
            h.append("</table>");
        }
        h.append("<p class=\"muted\">Held by running jobs: <span id=\"reserved\">").append(usd(m.reservedUsd()))
                .append("</span></p></section>");

        h.append("<section id=\"breakers\"><h2>Backends and breakers</h2><table>")
                .append("<tr><th>backend</th><th>breaker</th><th>readiness</th><th>detail</th></tr>");
        for (Breaker b : m.breakers()) {
            h.append("<tr data-backend=\"").append(e(b.backend())).append("\"><td>").append(e(b.backend()))
                    .append("</td><td class=\"").append(e(b.state())).append("\">").append(e(b.state()))
                    .append("</td><td class=\"").append(b.ready() ? "ready\">ready" : "notready\">not ready")
                    .append("</td><td class=\"muted\">").append(e(b.detail())).append("</td></tr>");
        }
        h.append("</table></section>");

        h.append("<section id=\"routing\"><h2>Routing split (since start)</h2>");
        h.append("<p>Hedging: <b id=\"hedging\" class=\"").append(e(m.hedging())).append("\">").append(e(m.hedging()))
                .append("</b>");
        if ("paused".equals(m.hedging())) {
            h.append(" <span class=\"muted\">(the hedge guard: too many recent cloud jobs took more than the rescue"
                    + " margin times their plan, so new routes are not hedged)</span>");
        }
        if (m.virtualThreadStalls() > 0) {
            h.append(" &middot; virtual thread stalls ended since start: <b id=\"vthread-stalls\">")
                    .append(m.virtualThreadStalls()).append("</b> <span class=\"muted\">(docs/operations.md)</span>");
        }
        h.append("</p>");
        long all = m.decisions().stream().mapToLong(Decision::count).sum();
        if (all == 0) {
            h.append("<p class=\"muted\">No routing decisions yet.</p>");
        } else {
            h.append("<table><tr><th>backend</th><th>reason</th><th class=\"num\">decisions</th><th class=\"num\">share</th></tr>");
            for (Decision d : m.decisions()) {
                h.append("<tr><td>").append(e(d.backend())).append("</td><td>").append(e(d.reason()))
                        .append("</td><td class=\"num\">").append(d.count()).append("</td><td class=\"num\">")
                        .append(String.format(Locale.ROOT, "%.0f%%", 100.0 * d.count() / all)).append("</td></tr>");
            }
            h.append("</table>");
        }
        h.append("</section>");

        BreakEven be = m.breakEven();
        h.append("<section class=\"wide\" id=\"breakeven\"><h2>Break-even: own fleet against the API</h2>");
        if (be.unavailable() != null) {
            h.append("<p class=\"notready\">Not available: ").append(e(be.unavailable())).append("</p>");
        } else {
            h.append("<p>").append(be.gpus()).append(" x ").append(e(be.gpu())).append(": break-even at <b id=\"breakeven-volume\">")
                    .append(be.perMonth() == null ? "never" : count(be.perMonth()))
                    .append("</b> videos a month; capacity ").append(count(be.capacityPerMonth()))
                    .append(be.withinCapacity() ? " (reachable)" : " (not reachable with this fleet)")
                    .append("; observed <b id=\"observed-volume\">").append(be.observedPerMonth())
                    .append("</b> in the last 30 days.</p><img alt=\"break-even chart\" src=\"/ops/breakeven.png\" width=\"1000\" height=\"600\">");
        }
        h.append("</section></main></body></html>");
        return h.toString();
    }

    private static void spend(StringBuilder h, String title, String id, Spend s) {
        PeriodTotals t = s.totals();
        h.append("<section id=\"").append(id).append("\"><h2>").append(e(title)).append(" <span class=\"muted\">")
                .append(e(s.periodKey())).append("</span></h2><div class=\"big total\">").append(usd(t.actualUsd()))
                .append("</div><p>Saved against all-cloud: <b class=\"savings\">").append(usd(t.savingsUsd()))
                .append("</b> <span class=\"muted\">(all-cloud <span class=\"all-cloud\">").append(usd(t.allCloudUsd()))
                .append("</span>)</span></p><p class=\"muted\">").append(t.videos()).append(" videos settled</p>");
        if (!t.byBackend().isEmpty()) {
            h.append("<table><tr><th>backend</th><th class=\"num\">spend</th></tr>");
            t.byBackend().forEach((backend, usd) -> h.append("<tr data-backend=\"").append(e(backend)).append("\"><td>")
                    .append(e(backend)).append("</td><td class=\"num\">").append(usd(usd)).append("</td></tr>"));
            h.append("</table>");
        }
        h.append("</section>");
    }

    /** Dollars to the cent for reading; the ledger keeps more digits, and {@code /v1/cost/summary} shows them. */
    static String usd(BigDecimal amount) {
        return amount == null ? "n/a" : String.format(Locale.US, "$%,.2f", amount.setScale(2, RoundingMode.HALF_EVEN));
    }

    private static String count(BigDecimal v) {
        return v == null ? "n/a" : String.format(Locale.US, "%,d", v.setScale(0, RoundingMode.HALF_UP).longValue());
    }

    private static String e(String text) {
        return text == null ? "" : HtmlUtils.htmlEscape(text);
    }
}
