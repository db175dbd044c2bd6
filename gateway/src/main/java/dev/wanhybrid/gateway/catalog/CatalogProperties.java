package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The model catalog as configuration ({@code gateway.catalog}): every model the gateway can route to, with its
 * backend, capabilities and price hooks.
 *
 * <p>Field constraints are checked by bean validation; cross-field rules (the default size must be one of the
 * model's sizes, ...) are checked in the compact constructors, so a bad catalog fails at start-up with a message
 * that names the key.
 */
@ConfigurationProperties("gateway.catalog")
@Validated
public record CatalogProperties(@NotEmpty List<@Valid ModelProperties> models,
        List<@Valid ModelProperties> extraModels) {

    /**
     * @param models the catalog
     * @param extraModels models appended to the catalog, so a profile can add one (the demo model) without
     *     repeating the whole list
     */
    public CatalogProperties {
        models = models == null ? List.of() : List.copyOf(models);
        extraModels = extraModels == null ? List.of() : List.copyOf(extraModels);
        var seen = new java.util.HashSet<String>();
        for (int i = 0; i < models.size() + extraModels.size(); i++) {
            String id = (i < models.size() ? models.get(i) : extraModels.get(i - models.size())).id();
            if (id != null && !seen.add(id)) {
                throw new IllegalArgumentException(
                        "gateway.catalog: model id '" + id + "' is listed twice");
            }
        }
    }

    /**
     * One model.
     *
     * @param id the catalog id used in requests and routes, e.g. {@code wan2.1-t2v-1.3b}
     * @param backend {@code local} or {@code cloud}
     * @param kinds task kinds it serves ({@code t2v}, {@code i2v}); a cloud model that omits kinds, seconds,
     *     default-seconds, audio or a tier's sizes takes them from the cloud adapter's catalog
     * @param seconds the clip lengths it accepts, in whole seconds
     * @param defaultSeconds the length used when a request gives none
     * @param fps output frame rate
     * @param audio the sound it can produce besides silence; empty for silent-only models
     * @param quality its quality grade
     * @param defaultSize the size used when a request gives none ({@code 832x480})
     * @param tiers resolution tiers ({@code 480p}, {@code 720p}, {@code 1080p}) with their sizes and prices; a
     *     local tier must give its marginal cost, a cloud tier takes its price from the DashScope list unless it
     *     gives one
     */
    /** Both lists, in order. */
    public List<ModelProperties> allModels() {
        var all = new java.util.ArrayList<>(models);
        all.addAll(extraModels);
        return all;
    }

    public record ModelProperties(
            @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9.\\-]*", message = "must be lower-case letters, digits, '.' and '-'") String id,
            @NotBlank @Pattern(regexp = "local|cloud", message = "must be 'local' or 'cloud'") String backend,
            Set<TaskKind> kinds,
            List<@Positive Integer> seconds,
            @Positive Integer defaultSeconds,
            @NotNull @Positive Integer fps,
            Set<AudioMode> audio,
            @NotNull QualityTier quality,
            @NotBlank String defaultSize,
            @NotEmpty Map<String, @Valid TierProperties> tiers,
            Boolean lora) {

        public ModelProperties {
            // A cloud model may leave its capabilities out: they are then the cloud catalog's (CloudCapabilities).
            boolean cloud = Backend.CLOUD.is(backend);
            audio = audio == null ? (cloud ? null : Set.of()) : Set.copyOf(audio);
            if (!cloud) {
                require(id, "kinds", kinds != null && !kinds.isEmpty());
                require(id, "seconds", seconds != null && !seconds.isEmpty());
                require(id, "default-seconds", defaultSeconds != null);
                if (tiers != null) {
                    tiers.forEach((name, t) -> require(id, "tiers." + name + ".sizes",
                            t == null || (t.sizes() != null && !t.sizes().isEmpty())));
                }
            }
            lora = lora != null && lora;
            if (lora && !Backend.LOCAL.is(backend)) {
                throw new IllegalArgumentException("gateway.catalog.models[" + id + "].lora: only local models apply"
                        + " LoRAs");
            }
            if (tiers != null && Backend.LOCAL.is(backend)) {
                tiers.forEach((name, tier) -> {
                    if (tier != null && tier.usdPerSecond() == null) {
                        throw new IllegalArgumentException("gateway.catalog.models[" + id + "].tiers." + name
                                + ".usd-per-second is required for a local model (its marginal cost per second)");
                    }
                });
            }
            if (seconds != null && defaultSeconds != null && !seconds.contains(defaultSeconds)) {
                throw new IllegalArgumentException("gateway.catalog.models[" + id + "].default-seconds: "
                        + defaultSeconds + " is not one of its seconds " + seconds);
            }
            if (defaultSize != null && tiers != null
                    && tiers.values().stream().allMatch(t -> t != null && t.sizes() != null)) {
                VideoSize parsed = parseSize(id, "default-size", defaultSize);
                boolean listed = tiers.values().stream()
                        .filter(t -> t != null && t.sizes() != null)
                        .anyMatch(t -> t.sizes().stream().anyMatch(s -> parseSize(id, "tiers", s).equals(parsed)));
                if (!listed) {
                    throw new IllegalArgumentException("gateway.catalog.models[" + id + "].default-size: "
                            + defaultSize + " is not listed in any of its tiers");
                }
            }
        }
    }

    /**
     * One resolution tier of a model.
     *
     * @param sizes the concrete sizes, {@code WxH}
     * @param usdPerSecond marginal cost (local, required) or price (cloud) per second of output video, in US
     *     dollars; a cloud tier without it takes the DashScope international list price in force at start-up
     *     ({@link ModelCatalog#from}), and one the list does not price must give it
     * @param silentUsdPerSecond a lower price when the request is silent (DashScope's flash models), or {@code null};
     *     taken from the list too when {@code usdPerSecond} is
     * @param serviceTimePerSecond typical time to generate one second of output, before any queue wait; the router
     *     uses it until it has recent observations
     */
    public record TierProperties(
            List<String> sizes,
            @DecimalMin("0") BigDecimal usdPerSecond,
            @DecimalMin("0") BigDecimal silentUsdPerSecond,
            @NotNull Duration serviceTimePerSecond) {

        public TierProperties {
            if (sizes != null) {
                for (String s : sizes) {
                    parseSize("?", "sizes", s);
                }
            }
        }
    }

    private static void require(String model, String key, boolean given) {
        if (!given) {
            throw new IllegalArgumentException("gateway.catalog.models[" + model + "]." + key
                    + ": required for a local model (a cloud model takes it from the cloud catalog)");
        }
    }

    static VideoSize parseSize(String model, String key, String text) {
        try {
            return VideoSize.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "gateway.catalog.models[" + model + "]." + key + ": " + e.getMessage(), e);
        }
    }
}
