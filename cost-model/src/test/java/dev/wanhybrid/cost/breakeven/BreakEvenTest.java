package dev.wanhybrid.cost.breakeven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.breakeven.Recommendation.Action;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class BreakEvenTest {

    private static final Money TEN_CENTS = Money.usd("0.10");

    /** A fleet whose whole fixed cost is {@code perYear}, with ample capacity. */
    private static BreakEvenInputs fleet(String perYear) {
        Money perMonth = Money.usd(perYear).dividedBy(BigDecimal.valueOf(12), 10);
        return new BreakEvenInputs(Money.usd("0"), perMonth, Money.usd("0"), TEN_CENTS, new BigDecimal("10000000"), 1);
    }

    @Test
    void fixedCostsOf170kTo220kAYearBreakEvenAt1point7To2point2MillionVideos() {
        BreakEvenResult low = BreakEven.analyze(fleet("170000"));
        BreakEvenResult high = BreakEven.analyze(fleet("220000"));

        assertThat(low.perYear()).contains(new BigDecimal("1700000"));
        assertThat(high.perYear()).contains(new BigDecimal("2200000"));
        // "about 4,700 to 6,000 a day"
        assertThat(low.perDay().orElseThrow()).isBetween(new BigDecimal("4600"), new BigDecimal("4700"));
        assertThat(high.perDay().orElseThrow()).isBetween(new BigDecimal("6000"), new BigDecimal("6050"));
        assertThat(low.perMonth()).contains(new BigDecimal("141667"));
    }

    @Test
    void fiftyThousandVideosAMonthCost5000OnTheApi() {
        assertThat(BreakEven.apiCost(fleet("170000"), new BigDecimal("50000"))).isEqualTo(Money.usd("5000"));
    }

    @Test
    void noBreakEvenWhenLocalCostsMorePerVideoThanTheApi() {
        BreakEvenInputs in = new BreakEvenInputs(Money.usd("0"), Money.usd("1000"), Money.usd("0.12"), TEN_CENTS,
                new BigDecimal("1000"), 1);

        assertThat(BreakEven.analyze(in).perMonth()).isEmpty();
        assertThat(BreakEven.recommend(in, new BigDecimal("1000000")).action()).isEqualTo(Action.STAY_ON_API);
    }

    @Test
    void adviceFollowsTheObservedVolume() {
        // 1,000 a month per GPU plus 1,000 shared; each GPU makes 20,000 videos a month at 0.10 saved each.
        BreakEvenInputs none = new BreakEvenInputs(Money.usd("1000"), Money.usd("1000"), Money.usd("0"), TEN_CENTS,
                new BigDecimal("20000"), 0);

        Recommendation small = BreakEven.recommend(none, new BigDecimal("5000"));
        Recommendation big = BreakEven.recommend(none, new BigDecimal("100000"));
        Recommendation overBuilt = BreakEven.recommend(none.withGpus(10), new BigDecimal("100000"));
        Recommendation underBuilt = BreakEven.recommend(none.withGpus(2), new BigDecimal("100000"));
        Recommendation right = BreakEven.recommend(none.withGpus(5), new BigDecimal("100000"));

        assertThat(small.action()).isEqualTo(Action.STAY_ON_API);
        assertThat(big.action()).isEqualTo(Action.SELF_HOST);
        assertThat(big.recommendedGpus()).isEqualTo(5);
        assertThat(big.recommendedPerMonth()).isEqualTo(Money.usd("6000"));
        assertThat(overBuilt.action()).isEqualTo(Action.REMOVE_GPUS);
        assertThat(underBuilt.action()).isEqualTo(Action.ADD_GPUS);
        assertThat(right.action()).isEqualTo(Action.KEEP_FLEET);
        assertThat(right.explanation()).contains("5 GPUs");
    }

    @Test
    void dearerApiLowersTheBreakEvenAndMoreGpusRaiseIt() {
        BreakEvenInputs in = new BreakEvenInputs(Money.usd("5000"), Money.usd("1000"), Money.usd("0"), TEN_CENTS,
                new BigDecimal("20000"), 4);

        List<SensitivityRow> rows = BreakEven.sensitivity(in, List.of(BigDecimal.ONE, new BigDecimal("2")),
                List.of(new BigDecimal("0.4")), new BigDecimal("0.8"), List.of(2, 8));

        assertThat(rows).extracting(SensitivityRow::parameter)
                .containsExactly("api_price", "api_price", "utilization", "gpus", "gpus");
        assertThat(rows.get(0).breakEvenPerMonth()).contains(new BigDecimal("90000"));
        assertThat(rows.get(1).breakEvenPerMonth()).contains(new BigDecimal("45000"));
        assertThat(rows.get(2).capacityPerMonth()).isEqualByComparingTo("40000");
        assertThat(rows.get(3).breakEvenPerMonth()).contains(new BigDecimal("70000"));
        assertThat(rows.get(4).breakEvenPerMonth()).contains(new BigDecimal("130000"));
        assertThat(rows.get(4).capacityPerMonth()).isEqualByComparingTo(BigDecimal.valueOf(160000).setScale(0, RoundingMode.FLOOR));
    }
}
