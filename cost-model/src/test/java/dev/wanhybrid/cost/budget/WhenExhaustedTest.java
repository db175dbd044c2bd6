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
        assertThat(WhenExhausted.parse("Queue")).isEqualTo(WhenExhausted.QUEUE);
        assertThatThrownBy(() -> WhenExhausted.parse("wait")).hasMessageContaining("[reject, local_only, lower_tier, queue]")
                .hasMessageContaining("'wait'");
    }

    @Test
    void ofTwoPoliciesTheStricterHolds() {
        assertThat(WhenExhausted.LOWER_TIER.stricter(WhenExhausted.REJECT)).isEqualTo(WhenExhausted.REJECT);
        assertThat(WhenExhausted.LOCAL_ONLY.stricter(WhenExhausted.LOWER_TIER)).isEqualTo(WhenExhausted.LOCAL_ONLY);
        assertThat(WhenExhausted.LOWER_TIER.stricter(WhenExhausted.LOWER_TIER)).isEqualTo(WhenExhausted.LOWER_TIER);
        // queue still spends on the cloud, only later: stricter than lower_tier, laxer than local_only.
        assertThat(WhenExhausted.QUEUE.stricter(WhenExhausted.LOWER_TIER)).isEqualTo(WhenExhausted.QUEUE);
        assertThat(WhenExhausted.QUEUE.stricter(WhenExhausted.LOCAL_ONLY)).isEqualTo(WhenExhausted.LOCAL_ONLY);
    }

    @Test
    void onlyRejectAndLowerTierRefuseOwnedEnginesOnceSpent() {
        assertThat(WhenExhausted.REJECT.refusesOwnedEngines()).isTrue();
        assertThat(WhenExhausted.LOWER_TIER.refusesOwnedEngines()).isTrue();
        assertThat(WhenExhausted.LOCAL_ONLY.refusesOwnedEngines()).isFalse();
        assertThat(WhenExhausted.QUEUE.refusesOwnedEngines()).isFalse();
    }

    @Test
    void aCapRejectsOnceSpentUnlessToldOtherwise() {
        BudgetCap plain = new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("1"));
        assertThat(plain.whenExhausted()).isEqualTo(WhenExhausted.REJECT);
        assertThatThrownBy(() -> new BudgetCap(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, Money.usd("1"), null))
                .isInstanceOf(NullPointerException.class);
    }
}
