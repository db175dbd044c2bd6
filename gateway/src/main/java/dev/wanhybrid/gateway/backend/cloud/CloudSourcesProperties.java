package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.Region;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.math.BigDecimal;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Further DashScope sources besides the default account ({@code gateway.cloud.sources[]}): another account, region
 * or price agreement for the same Wan models. Each is a backend of its own (its name is its id in routes, jobs, the
 * ledger, breaker names and metric tags), and its models enter the catalog as further sources of the same model ids
 * with its own prices, so the router buys from the cheaper healthy source and falls back to the other. The
 * settings it does not give (permit and query waits, timeouts, reconcile-after) are the default account's.
 */
@Validated
@ConfigurationProperties("gateway.cloud")
public record CloudSourcesProperties(List<@Valid Source> sources) {

    public CloudSourcesProperties {
        sources = sources == null ? List.of() : List.copyOf(sources);
        Set<String> names = new HashSet<>();
        for (Source s : sources) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("gateway.cloud.sources: the name '" + s.name() + "' is used twice");
            }
        }
    }

    /**
     * One source.
     *
     * @param name its backend id: {@code cloud-} and up to 10 lower-case letters, digits or '-' ({@code cloud-cn};
     *     16 characters in all, the width of the jobs' and the ledger's backend column)
     * @param region {@code international} (Singapore, USD list), {@code mainland} (Beijing, CNY list) or {@code us}
     * @param baseUrl overrides the region's URL (a workspace domain or a proxy); ends in {@code /api/v1}
     * @param apiKey the source's DashScope key; blank leaves it present but not ready
     * @param workspace optional {@code X-DashScope-WorkSpace}
     * @param accountPrices a file in the cost model's price-list format with what this account pays (contract
     *     prices, discounts); its lines win over the region's list
     * @param usdPerCny US dollars per yuan: a price in CNY (the mainland list, a CNY contract) is converted at this
     *     rate, which the operator keeps current; required for a mainland source
     * @param queriesPerSecond this account's task query limit (DashScope: 20)
     * @param concurrency per-model tasks-in-progress limits overriding the catalog's
     * @param models the catalog's cloud model ids this source offers; empty: every cloud model its prices cover
     * @param monthlyBudgetUsd the most this source may spend in a budget month (settled plus held), on top of the
     *     tenant and global caps; once a job's estimate no longer fits, the router buys from another source
     */
    public record Source(
            @NotBlank @Pattern(regexp = "cloud-[a-z0-9][a-z0-9-]{0,9}", message = "must be 'cloud-' and 1-10 lower-case letters, digits or '-'") String name,
            @NotNull @DefaultValue("international") String region,
            URI baseUrl,
            String apiKey,
            String workspace,
            String accountPrices,
            @DecimalMin(value = "0", inclusive = false) BigDecimal usdPerCny,
            @DecimalMin("0.1") @DefaultValue("20") double queriesPerSecond,
            Map<String, Integer> concurrency,
            List<String> models,
            @DecimalMin("0") BigDecimal monthlyBudgetUsd) {

        public Source {
            concurrency = concurrency == null ? Map.of() : Map.copyOf(concurrency);
            models = models == null ? List.of() : List.copyOf(models);
            Region parsed;
            try {
                parsed = Region.parse(region);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("gateway.cloud.sources[" + name + "].region: " + e.getMessage(), e);
            }
            if (parsed == Region.MAINLAND && usdPerCny == null) {
                throw new IllegalArgumentException("gateway.cloud.sources[" + name + "].usd-per-cny is required for a"
                        + " mainland source: its list prices are in CNY and the gateway budgets and routes in USD");
            }
        }

        /** Whether a key is configured (its value is never exposed here). */
        public boolean hasApiKey() {
            return apiKey != null && !apiKey.isBlank();
        }

        @Override
        public String toString() {
            return "Source[name=" + name + ", region=" + region + ", baseUrl=" + baseUrl + ", apiKey="
                    + (hasApiKey() ? "(set)" : "(none)") + "]";
        }
    }
}
