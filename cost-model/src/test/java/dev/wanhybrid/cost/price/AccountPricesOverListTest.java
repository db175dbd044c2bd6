package dev.wanhybrid.cost.price;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.VideoJob;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** {@link CloudPriceTable#overriddenBy}: an account's own lines over a list, the rule of account price files. */
class AccountPricesOverListTest {

    private static CloudPriceTable table(String yaml) throws Exception {
        return PriceTableLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
    }

    private static final String LIST = """
            currency: USD
            prices:
              - { model: wan2.7-t2v, audio: any, effective_from: 2026-04-03, per_second: { 720P: "0.10", 1080P: "0.15" } }
              # a list change that takes effect after the contract started: the contract still wins
              - { model: wan2.7-t2v, audio: any, effective_from: 2026-11-01, per_second: { 720P: "0.12" } }
              - { model: wan2.2-t2v-plus, audio: silent, effective_from: 2025-09-01, per_second: { 480P: "0.02" } }
            """;
    private static final String ACCOUNT = """
            currency: USD
            prices:
              - { model: wan2.7-t2v, audio: any, effective_from: 2026-10-16, effective_until: 2027-01-01,
                  per_second: { 720P: "0.06" } }
              - { model: wan3.0-video, audio: with, effective_from: 2026-08-01, per_second: { 720P: "0.08" } }
            """;

    private static Money cost(CloudPriceTable t, String model, int w, int h, boolean audio, String day) {
        return t.costOf(VideoJob.of(model, w, h, 5, audio), LocalDate.parse(day)).orElse(null);
    }

    @Test
    void anAccountLineInForceWinsAndTheListAnswersEverywhereElse() throws Exception {
        CloudPriceTable prices = table(LIST).overriddenBy(table(ACCOUNT));

        assertThat(cost(prices, "wan2.7-t2v", 1280, 720, true, "2026-10-15")).as("before the contract")
                .isEqualTo(Money.usd("0.50"));
        assertThat(cost(prices, "wan2.7-t2v", 1280, 720, true, "2026-10-16")).isEqualTo(Money.usd("0.30"));
        assertThat(cost(prices, "wan2.7-t2v", 1280, 720, true, "2026-11-20")).as("over a later list line")
                .isEqualTo(Money.usd("0.30"));
        assertThat(cost(prices, "wan2.7-t2v", 1280, 720, true, "2027-01-01")).as("after the contract ends")
                .isEqualTo(Money.usd("0.60"));
        assertThat(cost(prices, "wan2.7-t2v", 1920, 1080, false, "2026-11-20")).as("a tier the account does not price")
                .isEqualTo(Money.usd("0.75"));
        assertThat(cost(prices, "wan2.2-t2v-plus", 832, 480, false, "2026-11-20")).isEqualTo(Money.usd("0.10"));
        assertThat(cost(prices, "wan3.0-video", 1280, 720, true, "2026-11-20")).as("a model only the account prices")
                .isEqualTo(Money.usd("0.40"));
        assertThat(cost(prices, "wan3.0-video", 1280, 720, false, "2026-11-20")).as("silent: no line").isNull();
        assertThat(prices.models()).containsExactly("wan2.2-t2v-plus", "wan2.7-t2v", "wan3.0-video");
        assertThat(prices.prices()).hasSize(2 + 4).first().satisfies(p -> assertThat(p.model()).isEqualTo("wan2.7-t2v"));
    }

    @Test
    void aLayeredAccountKeepsItsOwnOrderAndAnotherCurrencyIsRefused() throws Exception {
        CloudPriceTable discount = table("""
                currency: USD
                prices:
                  - { model: wan2.7-t2v, audio: any, effective_from: 2026-12-01, per_second: { 720P: "0.05" } }
                """);
        CloudPriceTable prices = table(LIST).overriddenBy(table(ACCOUNT).overriddenBy(discount));

        assertThat(cost(prices, "wan2.7-t2v", 1280, 720, true, "2026-11-20")).isEqualTo(Money.usd("0.30"));
        assertThat(cost(prices, "wan2.7-t2v", 1280, 720, true, "2026-12-01")).isEqualTo(Money.usd("0.25"));
        assertThat(cost(prices, "wan2.7-t2v", 1280, 720, true, "2026-10-01")).isEqualTo(Money.usd("0.50"));

        CloudPriceTable yuan = table("""
                currency: CNY
                prices:
                  - { model: wan3.0-video, audio: any, effective_from: 2026-08-01, per_second: { 720P: "0.5" } }
                """);
        assertThatThrownBy(() -> table(LIST).overriddenBy(yuan)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the account's prices are in CNY, the list they override is in USD");
    }
}
