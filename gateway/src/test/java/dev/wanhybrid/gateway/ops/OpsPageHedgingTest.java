package dev.wanhybrid.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.budget.PeriodTotals;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The routing section says whether hedging runs, and how many virtual thread stalls the watchdog ended. */
class OpsPageHedgingTest {

    static String page(String hedging, long stalls) {
        OpsPage.Spend none = new OpsPage.Spend("2026-12-07", PeriodTotals.of(List.of()));
        return OpsPage.render(new OpsPage.Model(Instant.parse("2026-12-07T12:00:00Z"), "UTC", false, none, none,
                BigDecimal.ZERO, List.of(), List.of(), List.of(),
                new OpsPage.BreakEven(null, null, false, 0, 1, "a100", "no fleet"), hedging, stalls));
    }

    @Test
    void onPausedAndOffAreShownAndAPauseIsExplained() {
        assertThat(page("on", 0)).contains("id=\"hedging\" class=\"on\">on<").doesNotContain("hedge guard")
                .doesNotContain("vthread-stalls");
        assertThat(page("paused", 0)).contains("id=\"hedging\" class=\"paused\">paused<")
                .contains("the hedge guard: too many recent cloud jobs took more than the rescue margin");
        assertThat(page("off", -1)).contains("id=\"hedging\" class=\"off\">off<").doesNotContain("vthread-stalls");
    }

    @Test
    void stallsTheWatchdogEndedAreCounted() {
        assertThat(page("on", 2)).contains("id=\"vthread-stalls\">2<");
    }
}
