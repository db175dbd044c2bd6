package dev.wanhybrid.cost.price;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.internal.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Currency;
import java.util.EnumMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads a {@link CloudPriceTable} from this module's YAML (or JSON) format:
 *
 * <pre>
 * currency: USD
 * effective_from: 2025-09-23          # default for every line
 * prices:
 *   - model: wan2.6-t2v
 *     audio: any                       # any | with | silent
 *     per_second: { 720P: "0.10", 1080P: "0.15" }
 *     effective_until: 2026-12-31      # optional, exclusive
 * </pre>
 *
 * Amounts are read as decimal text, so {@code 0.0375} stays exact. A bad value fails with the key that holds it.
 * {@link #dashScope(DashScopePriceList)} gives the DashScope lists bundled with this module.
 */
public final class PriceTableLoader {

    private PriceTableLoader() {}

    /** A bundled DashScope list, read from this module's resources once and shared (the table is immutable). */
    public static CloudPriceTable dashScope(DashScopePriceList list) {
        return Bundled.TABLES.get(list);
    }

    public static CloudPriceTable load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString());
        }
    }

    public static CloudPriceTable load(InputStream in, String source) throws IOException {
        return fromTree(Yaml.read(in, source), source);
    }

    /** Builds a table from an already parsed tree (for example a node of a larger configuration file). */
    public static CloudPriceTable fromTree(JsonNode root, String source) {
        Currency currency = Yaml.currency(root, "currency", source);
        LocalDate defaultFrom = Yaml.optionalDate(root, "effective_from", source);
        JsonNode lines = Yaml.required(root, "prices", source);
        CloudPriceTable.Builder builder = CloudPriceTable.builder(currency);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            String where = source + ": prices[" + i + "]";
            String model = Yaml.text(line, "model", where);
            AudioPricing audio = AudioPricing.parse(Yaml.optionalText(line, "audio"), where);
            LocalDate from = Yaml.optionalDate(line, "effective_from", where);
            if (from == null) {
                from = defaultFrom;
            }
            if (from == null) {
                throw new IllegalArgumentException(where + ".effective_from is missing (and no default is set)");
            }
            LocalDate until = Yaml.optionalDate(line, "effective_until", where);
            JsonNode perSecond = Yaml.required(line, "per_second", where);
            for (Map.Entry<String, JsonNode> e : perSecond.properties()) {
                Tier tier;
                try {
                    tier = Tier.parse(e.getKey());
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + ".per_second: " + ex.getMessage(), ex);
                }
                BigDecimal amount = Yaml.decimal(e.getValue(), where + ".per_second." + e.getKey());
                builder.price(new CloudPrice(model, tier, audio, Money.of(amount, currency), from, until));
            }
        }
        return builder.build();
    }

    /** The bundled lists, read on first use; one that is missing or does not parse is a build error and fails loudly. */
    private static final class Bundled {
        static final Map<DashScopePriceList, CloudPriceTable> TABLES = readAll();

        private static Map<DashScopePriceList, CloudPriceTable> readAll() {
            Map<DashScopePriceList, CloudPriceTable> tables = new EnumMap<>(DashScopePriceList.class);
            for (DashScopePriceList list : DashScopePriceList.values()) {
                try (InputStream in = PriceTableLoader.class.getResourceAsStream(list.resource())) {
                    if (in == null) {
                        throw new IllegalStateException("price list " + list.resource() + " is missing from the classpath");
                    }
                    tables.put(list, load(in, list.resource()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return tables;
        }
    }
}
