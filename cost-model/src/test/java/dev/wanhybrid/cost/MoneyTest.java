package dev.wanhybrid.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void keepsSubCentPricesExactUntilRounded() {
        Money perSecond = Money.usd("0.0375");

        Money clip = perSecond.times(5);

        assertThat(clip.amount()).isEqualByComparingTo("0.1875");
        assertThat(clip.rounded().amount()).isEqualTo(new BigDecimal("0.19"));
    }

    @Test
    void equalAmountsWithDifferentScalesAreEqual() {
        assertThat(Money.usd("0.10")).isEqualTo(Money.usd("0.1")).hasSameHashCodeAs(Money.usd("0.1"));
    }

    @Test
    void refusesToAddDifferentCurrencies() {
        assertThatThrownBy(() -> Money.usd("1").plus(Money.of("1", "CNY")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("USD").hasMessageContaining("CNY");
    }

    @Test
    void roundsToTheMinorUnitOfItsCurrency() {
        assertThat(Money.of("1.005", "JPY").rounded().amount()).isEqualTo(new BigDecimal("1"));
        assertThat(Money.of("1.005", "CNY").rounded().amount()).isEqualTo(new BigDecimal("1.00"));
    }

    @Test
    void tierFollowsTheShortSide() {
        assertThat(Tier.ofSize(832, 480)).isEqualTo(Tier.P480);
        assertThat(Tier.ofSize(720, 1280)).isEqualTo(Tier.P720);
        assertThat(Tier.ofSize(1440, 1440)).isEqualTo(Tier.P1080);
        assertThat(Tier.parse("720p")).isEqualTo(Tier.P720);
        assertThatThrownBy(() -> Tier.parse("4K")).hasMessageContaining("4K");
    }

    @Test
    void aTierLabelIsMatchedExactlyInAnyCase() {
        assertThat(Tier.ofLabel("480p")).contains(Tier.P480);
        assertThat(Tier.ofLabel("1080P")).contains(Tier.P1080);
        assertThat(Tier.ofLabel("720")).isEmpty();
        assertThat(Tier.ofLabel("704p")).isEmpty();
        assertThat(Tier.ofLabel(null)).isEmpty();
    }
}
