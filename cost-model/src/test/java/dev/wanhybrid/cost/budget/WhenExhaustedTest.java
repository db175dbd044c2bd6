package dev.wanhybrid.cost.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cost.Money;
import org.junit.jupiter.api.Test;

class WhenExhaustedTest {

    @Test
    void readsTheWordsOfConfigurationAndTheApiAndRefusesOthersListingTheChoices() {
        assertThat(WhenExhausted.parse("local_only")).isEqualTo(WhenExhausted.LOCAL_ONLY);
        assertThat(WhenExhausted.parse(" Lower-Tier ")).isEqualTo(WhenExhausted.LOWER_TIER);
        assertThat(WhenExhausted.parse("reject")).isEqualTo(WhenExhausted.REJECT);
        assertThatThrownBy(() -> WhenExhausted.parse("queue")).hasMessageContaining("[reject, local_only, lower_tier]")
                .hasMessageContaining("'queue'");
    }

    @Test
    void ofTwoPoliciesTheStricterHolds() {
        assertThat(WhenExhausted.LOWER_TIER.stricter(WhenExhausted.REJECT)).isEqualTo(WhenExhausted.REJECT);
        assertThat(WhenExhausted.LOCAL_ONLY.stricter(WhenExhausted.LOWER_TIER)).isEqualTo(WhenExhausted.LOCAL_ONLY);
        assertThat(WhenExhausted.LOWER_TIER.stricter(WhenExhausted.LOWER_TIER)).isEqualTo(WhenExhausted.LOWER_TIER);
    }

    @Test
    void aCapRejectsOnceSpentUnlessToldOtherwise() {
        BudgetCap plain = new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("1"));
        assertThat(plain.whenExhausted()).isEqualTo(WhenExhausted.REJECT);
        assertThatThrownBy(() -> new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("1"), null))
                .isInstanceOf(NullPointerException.class);
    }
}
