package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.config.CostConfig;
import dev.wanhybrid.cost.internal.Yaml;
import dev.wanhybrid.cost.routing.ServiceTimeModel;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A {@link CostConfig} plus the replay's own section:
 *
 * <pre>
 * replay:
 *   cloud_latency_per_second: 36        # seconds of cloud latency per second of output
 *   service_time_noise: 0.15            # sigma of the log-normal factor on local service times
 *   seed: 7
 *   risk: 2                             # margin on local service times, in spreads (cost vs deadline risk)
 *   min_saving_per_gpu_hour: 1.00       # for the density-aware variant
 *   local_models:  [ { model: wan2.1-t2v-1.3b, kind: t2v, tiers: [480P], max_seconds: 5 } ]
 *   cloud_models:  [ { model: wan2.2-t2v-plus, kind: t2v, seconds: [5] } ]
 * </pre>
 *
 * Every cloud model needs a price: in the list, or in the account's own lines ({@code account_prices:} at the top
 * of the file, see {@link CostConfig}), which is how an operator-priced model such as wan3.0-video is replayed. A
 * model's {@code kind} is one a trace holds ({@link TraceJob#KINDS}); a model that makes several (wan3.0-video) is
 * listed once per kind.
 */
public record ReplayConfig(CostConfig cost, ReplayCatalog catalog, long seed, double noiseSigma,
        BigDecimal minSavingPerGpuHour) {

    public static ReplayConfig load(Path file) throws IOException {
        CostConfig cost = CostConfig.load(file);
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = Yaml.read(in, file.toString());
        }
        String where = file.getFileName() + ".replay";
        JsonNode r = Yaml.required(root, "replay", file.getFileName().toString());
        if (r.has(CostConfig.ACCOUNT_PRICES)) {
            throw new IllegalArgumentException(where + "." + CostConfig.ACCOUNT_PRICES + " belongs at the top of the file,"
                    + " beside prices_file, not under replay:");
        }
        List<ReplayCatalog.LocalModel> locals = new ArrayList<>();
        JsonNode l = Yaml.required(r, "local_models", where);
        for (int i = 0; i < l.size(); i++) {
            JsonNode m = l.get(i);
            String w = where + ".local_models[" + i + "]";
            Set<Tier> tiers = EnumSet.noneOf(Tier.class);
            for (JsonNode t : Yaml.required(m, "tiers", w)) {
                tiers.add(Tier.parse(t.asString()));
            }
            locals.add(new ReplayCatalog.LocalModel(Yaml.text(m, "model", w), kind(m, w), tiers,
                    Yaml.integer(m, "max_seconds", w)));
        }
        List<ReplayCatalog.CloudModel> clouds = new ArrayList<>();
        JsonNode c = Yaml.required(r, "cloud_models", where);
        for (int i = 0; i < c.size(); i++) {
            JsonNode m = c.get(i);
            String w = where + ".cloud_models[" + i + "]";
            Set<Integer> seconds = new LinkedHashSet<>();
            for (JsonNode s : Yaml.required(m, "seconds", w)) {
                seconds.add(s.asInt());
            }
            String model = Yaml.text(m, "model", w);
            if (!cost.prices().models().contains(model)) {
                throw new IllegalArgumentException(w + ".model '" + model + "' has no price in the price list ("
                        + cost.pricesSource() + "); give an operator-priced model its line in an "
                        + CostConfig.ACCOUNT_PRICES + " file");
            }
            clouds.add(new ReplayCatalog.CloudModel(model, kind(m, w), seconds));
        }
        Duration latency = Duration.ofMillis(Yaml.decimal(r, "cloud_latency_per_second", where)
                .multiply(BigDecimal.valueOf(1000)).longValue());
        double risk = r.has("risk") ? Yaml.decimal(r, "risk", where).doubleValue() : ServiceTimeModel.DEFAULT_RISK;
        double noise = r.has("service_time_noise") ? Yaml.decimal(r, "service_time_noise", where).doubleValue() : 0.15;
        ServiceTimeModel times;
        try {
            // The router's prior spread is the replay's own scatter: it knows how noisy runs are, not how each goes.
            times = new ServiceTimeModel(cost.localCost(), risk, noise);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".risk / service_time_noise: " + e.getMessage(), e);
        }
        ReplayCatalog catalog = new ReplayCatalog(locals, clouds, cost.prices(), times, latency, cost.billingZone());
        return new ReplayConfig(cost, catalog,
                r.has("seed") ? Yaml.decimal(r, "seed", where).longValue() : 7,
                noise,
                r.has("min_saving_per_gpu_hour") ? Yaml.decimal(r, "min_saving_per_gpu_hour", where) : BigDecimal.ONE);
    }

    /** A model's kind: one a trace holds, or the model could never be chosen. */
    private static String kind(JsonNode model, String where) {
        String kind = Yaml.text(model, "kind", where);
        if (!TraceJob.KINDS.contains(kind)) {
            throw new IllegalArgumentException(where + ".kind must be one of " + new java.util.TreeSet<>(TraceJob.KINDS)
                    + " (the kinds a trace holds), was '" + kind + "'");
        }
        return kind;
    }
}
