package dev.wanhybrid.cost.local;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.internal.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads a {@link GpuFleet} and a {@link ThroughputModel} from YAML trees:
 *
 * <pre>
 * fleet:
 *   gpu: h100
 *   count: 8
 *   currency: USD
 *   rented: { hourly_per_gpu: "2.40" }
 *   # or
 *   owned: { capex_per_gpu: 25000, amortization_years: 4, busy_watts_per_gpu: 700, idle_watts_per_gpu: 700,
 *            energy_per_kwh: "0.10", pue: 1.25, ops_staff_per_year: 90000, overhead_per_year: 23868 }
 * throughput:               # optional; the shipped published figures are the default
 *   learning_rate: 0.2
 *   gpu_speed: { rtx4090: 1.0, h100: 2.5 }
 *   seeds: [ { model: wan2.1-t2v-1.3b, gpu: rtx4090, width: 832, height: 480, frames: 81, steps: 50,
 *              gpu_seconds: 240, fps: 16, default_steps: 50, pixel_exponent: 1.0, source: "..." } ]
 * </pre>
 */
public final class LocalConfigLoader {

    private static final String DEFAULT_SEEDS = "/dev/wanhybrid/cost/local/throughput-seeds.yaml";

    private LocalConfigLoader() {}

    public static GpuFleet fleet(JsonNode node, String where) {
        String gpu = Yaml.text(node, "gpu", where);
        int count = Yaml.integer(node, "count", where);
        Currency currency = Yaml.currency(node, "currency", where);
        JsonNode rented = node.get("rented");
        JsonNode owned = node.get("owned");
        if ((rented == null) == (owned == null)) {
            throw new IllegalArgumentException(where + ": give exactly one of 'rented' or 'owned'");
        }
        FleetCost cost;
        if (rented != null) {
            String w = where + ".rented";
            cost = new FleetCost.Rented(money(rented, "hourly_per_gpu", w, currency),
                    rented.has("ops_staff_per_year") ? money(rented, "ops_staff_per_year", w, currency) : null,
                    rented.has("overhead_per_year") ? money(rented, "overhead_per_year", w, currency) : null);
        } else {
            String w = where + ".owned";
            cost = new FleetCost.Owned(
                    money(owned, "capex_per_gpu", w, currency),
                    Yaml.decimal(owned, "amortization_years", w),
                    Yaml.decimal(owned, "busy_watts_per_gpu", w),
                    Yaml.optionalDecimal(owned, "idle_watts_per_gpu", w),
                    money(owned, "energy_per_kwh", w, currency),
                    Yaml.optionalDecimal(owned, "pue", w),
                    money(owned, "ops_staff_per_year", w, currency),
                    money(owned, "overhead_per_year", w, currency));
        }
        return new GpuFleet(gpu, count, cost);
    }

    /** The throughput model from {@code node}, or the shipped published figures when {@code node} is null. */
    public static ThroughputModel throughput(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return defaultThroughput();
        }
        double learningRate = node.has("learning_rate")
                ? Yaml.decimal(node, "learning_rate", where).doubleValue()
                : ThroughputModel.DEFAULT_LEARNING_RATE;
        Map<String, Double> speeds = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : Yaml.required(node, "gpu_speed", where).properties()) {
            speeds.put(e.getKey(), Yaml.decimal(e.getValue(), where + ".gpu_speed." + e.getKey()).doubleValue());
        }
        Map<String, ThroughputSeed> seeds = new LinkedHashMap<>();
        JsonNode list = Yaml.required(node, "seeds", where);
        for (int i = 0; i < list.size(); i++) {
            JsonNode s = list.get(i);
            String w = where + ".seeds[" + i + "]";
            ThroughputSeed seed = new ThroughputSeed(
                    Yaml.text(s, "model", w), Yaml.text(s, "gpu", w),
                    Yaml.integer(s, "width", w), Yaml.integer(s, "height", w),
                    Yaml.integer(s, "frames", w), Yaml.integer(s, "steps", w),
                    Yaml.decimal(s, "gpu_seconds", w).doubleValue(), Yaml.integer(s, "fps", w),
                    s.has("default_steps") ? Yaml.integer(s, "default_steps", w) : Yaml.integer(s, "steps", w),
                    s.has("pixel_exponent") ? Yaml.decimal(s, "pixel_exponent", w).doubleValue() : 1.0,
                    Yaml.optionalText(s, "source"));
            seeds.put(seed.model(), seed);
        }
        return new ThroughputModel(seeds, speeds, learningRate);
    }

    /** The published reference figures shipped with this module. */
    public static ThroughputModel defaultThroughput() {
        try (InputStream in = LocalConfigLoader.class.getResourceAsStream(DEFAULT_SEEDS)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_SEEDS + " is missing from the classpath");
            }
            return throughput(Yaml.read(in, DEFAULT_SEEDS), DEFAULT_SEEDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Money money(JsonNode node, String key, String where, Currency currency) {
        BigDecimal amount = Yaml.decimal(node, key, where);
        if (amount.signum() < 0) {
            throw new IllegalArgumentException(where + "." + key + " must not be negative, was " + amount);
        }
        return Money.of(amount, currency);
    }
}
