package dev.wanhybrid.cost.price;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.VideoJob;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A dated cloud price list in one currency. Build it from code with {@link #builder(Currency)} or read it with
 * {@link PriceTableLoader}; look prices up by model, tier, audio and day. {@link #overriddenBy} lays an account's own
 * lines (contract prices, discounts, models the list does not price) over a list.
 */
public final class CloudPriceTable {

    private final Currency currency;
    private final List<CloudPrice> prices;
    /** The list this table's lines override, or {@code null}: asked only where no line of this table applies. */
    private final CloudPriceTable under;

    private CloudPriceTable(Currency currency, List<CloudPrice> prices, CloudPriceTable under) {
        this.currency = currency;
        this.prices = List.copyOf(prices);
        this.under = under;
    }

    public static Builder builder(Currency currency) {
        return new Builder(currency);
    }

    public Currency currency() {
        return currency;
    }

    /** Every line: for a table with {@link #overriddenBy overrides}, the overriding lines first, then the list's. */
    public List<CloudPrice> prices() {
        if (under == null) {
            return prices;
        }
        List<CloudPrice> all = new ArrayList<>(prices);
        all.addAll(under.prices());
        return List.copyOf(all);
    }

    public Set<String> models() {
        Set<String> models = new TreeSet<>();
        prices().forEach(p -> models.add(p.model()));
        return models;
    }

    /**
     * The price in force on {@code day}; an entry for exactly this audio choice wins over an {@code any} entry,
     * and among those the one that took effect last wins. In a table with {@link #overriddenBy overrides}, an
     * overriding line in force wins over every line of the list underneath.
     */
    public Optional<CloudPrice> find(String model, Tier tier, boolean audio, LocalDate day) {
        Optional<CloudPrice> own = prices.stream()
                .filter(p -> p.model().equals(model) && p.tier() == tier && p.audio().matches(audio) && p.appliesOn(day))
                .max(Comparator.<CloudPrice>comparingInt(p -> p.audio() == AudioPricing.ANY ? 0 : 1)
                        .thenComparing(CloudPrice::effectiveFrom));
        return under == null ? own : own.or(() -> under.find(model, tier, audio, day));
    }

    /**
     * This list with {@code account}'s lines over it: where a line of the account's is in force on a day for a
     * model, tier and sound, it answers; elsewhere (another model, tier or sound, or a day its lines do not cover)
     * this list does. The rule the gateway applies to {@code gateway.cloud.account-prices}.
     *
     * @throws IllegalArgumentException when the account's prices are in another currency
     */
    public CloudPriceTable overriddenBy(CloudPriceTable account) {
        if (!account.currency.equals(currency)) {
            throw new IllegalArgumentException("the account's prices are in " + account.currency
                    + ", the list they override is in " + currency);
        }
        // An account that is itself layered keeps its own order, on top of this list.
        CloudPriceTable base = account.under == null ? this : overriddenBy(account.under);
        return new CloudPriceTable(currency, account.prices, base);
    }

    /** The list price of a job on {@code day}, or empty when the model does not offer that tier or audio choice. */
    public Optional<Money> costOf(VideoJob job, LocalDate day) {
        return find(job.model(), job.tier(), job.audio(), day).map(p -> p.costOf(job.seconds()));
    }

    /** The cheapest priced model among {@code models} for this job's tier, audio and length. */
    public Optional<CloudPrice> cheapest(Iterable<String> models, VideoJob job, LocalDate day) {
        CloudPrice best = null;
        for (String model : models) {
            Optional<CloudPrice> p = find(model, job.tier(), job.audio(), day);
            if (p.isPresent() && (best == null || p.get().perSecond().compareTo(best.perSecond()) < 0)) {
                best = p.get();
            }
        }
        return Optional.ofNullable(best);
    }

    /** Collects price lines, refusing a line in another currency. */
    public static final class Builder {
        private final Currency currency;
        private final List<CloudPrice> prices = new ArrayList<>();

        private Builder(Currency currency) {
            this.currency = currency;
        }

        public Builder price(CloudPrice price) {
            if (!price.perSecond().currency().equals(currency)) {
                throw new IllegalArgumentException("price of " + price.model() + " is in "
                        + price.perSecond().currency() + ", the table is in " + currency);
            }
            prices.add(price);
            return this;
        }

        public Builder price(String model, Tier tier, AudioPricing audio, String perSecond, LocalDate from) {
            return price(new CloudPrice(model, tier, audio, Money.of(new java.math.BigDecimal(perSecond), currency),
                    from, null));
        }

        public CloudPriceTable build() {
            return new CloudPriceTable(currency, prices, null);
        }
    }
}
