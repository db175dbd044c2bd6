package dev.wanhybrid.cost.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cost.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class BudgetPeriodTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Test
    void dayAndMonthFollowTheBudgetTimeZoneNotUtc() {
        Instant lateUtc = Instant.parse("2026-11-30T17:30:00Z"); // already 1 December in Shanghai

        assertThat(BudgetPeriod.DAY.keyOf(lateUtc, ZoneId.of("UTC"))).isEqualTo("2026-11-30");
        assertThat(BudgetPeriod.DAY.keyOf(lateUtc, SHANGHAI)).isEqualTo("2026-12-01");
        assertThat(BudgetPeriod.MONTH.keyOf(lateUtc, SHANGHAI)).isEqualTo("2026-12");
        assertThat(BudgetPeriod.DAY.start(lateUtc, SHANGHAI)).isEqualTo(Instant.parse("2026-11-30T16:00:00Z"));
        assertThat(BudgetPeriod.MONTH.end(lateUtc, SHANGHAI)).isEqualTo(Instant.parse("2026-12-31T16:00:00Z"));
    }

    @Test
    void dayAcrossADaylightSavingChangeIsTwentyFiveHours() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Instant during = Instant.parse("2026-10-25T12:00:00Z");

        assertThat(java.time.Duration.between(BudgetPeriod.DAY.start(during, berlin), BudgetPeriod.DAY.end(during, berlin)))
                .hasHours(25);
    }

    @Test
    void preferLocalKeepsTheLastSliceOfTheCapAwayFromPaidWork() {
        DegradePolicy policy = new DegradePolicy(new BigDecimal("0.10"), DegradePolicy.Action.PREFER_LOCAL);
        Money limit = Money.usd("100");

        assertThat(policy.paidHeadroom(limit, Money.usd("30"))).isEqualTo(Money.usd("20"));
        assertThat(policy.paidHeadroom(limit, Money.usd("5"))).isEqualTo(Money.usd("0"));
        assertThat(policy.isNear(limit, Money.usd("9.99"))).isTrue();
        assertThat(policy.isNear(limit, Money.usd("10"))).isFalse();
        assertThat(DegradePolicy.NONE.paidHeadroom(limit, Money.usd("5"))).isEqualTo(Money.usd("5"));
    }

    @Test
    void capsNameThemselvesAndRefuseNonsense() {
        assertThat(new BudgetCap(BudgetScope.TENANT, "acme", BudgetPeriod.DAY, Money.usd("10")).name())
                .isEqualTo("tenant:acme/day");
        assertThat(new BudgetCap(BudgetScope.GLOBAL, "ignored", BudgetPeriod.MONTH, Money.usd("10")).name())
                .isEqualTo("global/month");
        assertThatThrownBy(() -> new BudgetCap(BudgetScope.TENANT, " ", BudgetPeriod.DAY, Money.usd("1")))
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> BudgetPeriod.parse("week")).hasMessageContaining("week");
    }
}
