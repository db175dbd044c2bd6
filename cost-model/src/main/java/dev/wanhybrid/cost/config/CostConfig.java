package dev.wanhybrid.cost.config;

import dev.wanhybrid.cost.BackendCostEstimator;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.breakeven.BreakEvenInputs;
import dev.wanhybrid.cost.internal.Yaml;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalConfigLoader;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.local.ThroughputModel;
import dev.wanhybrid.cost.price.CloudPriceTable;
import dev.wanhybrid.cost.price.DashScopePriceList;
import dev.wanhybrid.cost.price.PriceTableLoader;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import tools.jackson.databind.JsonNode;

/**
 * Everything the command-line tool and the replay need in one file: prices, fleet, throughput and the reference
 * workload. Prices are the bundled DashScope international list ({@link DashScopePriceList#INTERNATIONAL}) unless
 * the file gives its own: inline ({@code prices:} in the {@link PriceTableLoader} format) or in another file
 * ({@code prices_file:}, relative to this one). An optional {@code account_prices:} (a file in the same format,
 * relative to this one; what an operator's account pays: contract prices, discounts, models with no published
 * price such as wan3.0-video) is laid over the list ({@link CloudPriceTable#overriddenBy}), as the gateway does with
 * {@code gateway.cloud.account-prices}.
 *
 * @param prices the cloud prices in force: the list, with the account's lines over it where the file gives them
 * @param fleet the local GPUs
 * @param throughput the GPU-seconds model
 * @param workload the reference clip, observed volume and target utilization
 * @param billingZone the time zone days and months are counted in
 * @param pricesSource where the prices come from, in words, for reports
 */
public record CostConfig(CloudPriceTable prices, GpuFleet fleet, ThroughputModel throughput,
        ReferenceWorkload workload, ZoneId billingZone, String pricesSource) {

    /** The key of the account's own price file. */
    public static final String ACCOUNT_PRICES = "account_prices";

    public static CostConfig load(Path file) throws IOException {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = Yaml.read(in, file.toString());
        }
        String src = file.getFileName().toString();
        CloudPriceTable prices;
        String pricesSource;
        if (root.has("prices_file")) {
            Path list = resolve(file, root.get("prices_file").asString());
            prices = PriceTableLoader.load(list);
            pricesSource = "the prices in " + list.getFileName();
        } else if (root.has("prices")) {
            prices = PriceTableLoader.fromTree(Yaml.required(root, "prices", src), src + ".prices");
            pricesSource = "the prices in " + src;
        } else {
            prices = PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL);
            pricesSource = "the DashScope international list prices";
        }
        if (root.has(ACCOUNT_PRICES)) {
            Path account = resolve(file, Yaml.text(root, ACCOUNT_PRICES, src));
            prices = withAccountPrices(prices, account, src + "." + ACCOUNT_PRICES);
            pricesSource += ", with the account prices in " + account.getFileName() + " over them";
        }
        GpuFleet fleet = LocalConfigLoader.fleet(Yaml.required(root, "fleet", src), src + ".fleet");
        ThroughputModel throughput = LocalConfigLoader.throughput(root.get("throughput"), src + ".throughput");
        JsonNode w = Yaml.required(root, "workload", src);
        String where = src + ".workload";
        int width = Yaml.integer(w, "width", where);
        int height = Yaml.integer(w, "height", where);
        int seconds = Yaml.integer(w, "seconds", where);
        boolean audio = w.has("audio") && w.get("audio").asBoolean();
        ReferenceWorkload workload = new ReferenceWorkload(
                VideoJob.of(Yaml.text(w, "cloud_model", where), width, height, seconds, audio),
                VideoJob.of(Yaml.text(w, "local_model", where), width, height, seconds, audio),
                Yaml.decimal(w, "observed_per_month", where),
                w.has("target_utilization") ? Yaml.decimal(w, "target_utilization", where) : new BigDecimal("0.8"));
        String zone = Yaml.optionalText(root, "billing_zone");
        ZoneId billingZone = zone == null ? ZoneId.of("UTC") : ZoneId.of(zone);
        if (!throughput.knows(workload.localJob().model())) {
            throw new IllegalArgumentException(where + ".local_model '" + workload.localJob().model()
                    + "' has no throughput figure; known: " + throughput.seeds().keySet());
        }
        return new CostConfig(prices, fleet, throughput, workload, billingZone, pricesSource);
    }

    /** {@code list} with the account's lines from {@code file} over it; a file that is missing or wrong names {@code key}. */
    private static CloudPriceTable withAccountPrices(CloudPriceTable list, Path file, String key) {
        try {
            return list.overriddenBy(PriceTableLoader.load(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(key + ": no such file " + file, e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " (" + file + "): " + e.getMessage(), e);
        }
    }

    private static Path resolve(Path config, String other) {
        Path p = Path.of(other);
        return p.isAbsolute() ? p : config.toAbsolutePath().getParent().resolve(p);
    }

    public LocalCostModel localCost() {
        return new LocalCostModel(fleet, throughput);
    }

    public BackendCostEstimator estimator(Clock clock) {
        return new BackendCostEstimator(prices, localCost(), clock, billingZone);
    }

    /** The break-even inputs for the reference clip, with the cloud price in force on {@code day}. */
    public BreakEvenInputs breakEvenInputs(LocalDate day) {
        Money api = prices.costOf(workload.cloudJob(), day).orElseThrow(() -> new IllegalArgumentException(
                "workload.cloud_model " + workload.cloudJob().model() + " has no price for "
                        + workload.cloudJob().tier() + (workload.cloudJob().audio() ? " with audio" : " silent")
                        + " on " + day));
        LocalCostModel local = localCost();
        Money marginal = local.marginal(local.gpuSeconds(workload.localJob()));
        BigDecimal perGpuCapacity = GpuFleet.SECONDS_PER_MONTH.multiply(workload.targetUtilization())
                .divide(BigDecimal.valueOf(local.gpuSeconds(workload.localJob())), 6, java.math.RoundingMode.HALF_EVEN);
        BigDecimal twelve = BigDecimal.valueOf(12);
        return new BreakEvenInputs(fleet.sharedFixedCostPerYear().dividedBy(twelve, 10),
                fleet.perGpuFixedCostPerYear().dividedBy(twelve, 10), marginal, api, perGpuCapacity, fleet.count());
    }
}
