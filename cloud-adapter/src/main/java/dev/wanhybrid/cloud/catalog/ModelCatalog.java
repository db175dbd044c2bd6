package dev.wanhybrid.cloud.catalog;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.price.CloudPrice;
import dev.wanhybrid.cost.price.DashScopePriceList;
import dev.wanhybrid.cost.price.PriceTableLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Wan cloud models, their sizes, durations and audio behaviour, read from a versioned YAML resource, and their
 * dated prices from the cost model's DashScope price lists ({@link DashScopePriceList}); validates requests against
 * it so an impossible combination never costs a call.
 *
 * <p>Immutable and thread-safe. {@link #load()} reads the bundled {@code wan-models.yaml}.
 */
public final class ModelCatalog {

    /** Classpath location of the bundled catalog. */
    public static final String RESOURCE = "/dev/wanhybrid/cloud/catalog/wan-models.yaml";

    private static final long MAX_SEED = 2_147_483_647L;
    private static final Set<String> SHOT_TYPES = Set.of("single", "multi");
    private static final int MAX_REFERENCES = 5;

    /** {@code prices} is only read to refuse it: prices live in the cost model's lists now. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Document(String version, Map<String, List<String>> tiers, List<CloudModel> models, Object prices) {}

    private final String version;
    private final Map<String, List<String>> tierSizes;
    private final Map<String, CloudModel> models;
    private final Map<String, CloudModel> byMainlandId;

    private ModelCatalog(Document doc) {
        if (doc.prices() != null) {
            throw new IllegalArgumentException("the catalog has a prices section; prices are read from the cost"
                    + " model's DashScope lists (" + DashScopePriceList.INTERNATIONAL.resource() + ", "
                    + DashScopePriceList.MAINLAND.resource() + "): remove it");
        }
        this.version = doc.version();
        this.tierSizes = Map.copyOf(doc.tiers());
        Map<String, CloudModel> byId = new LinkedHashMap<>();
        Map<String, CloudModel> mainland = new LinkedHashMap<>();
        for (CloudModel model : doc.models()) {
            checkModel(model);
            if (byId.put(model.id(), model) != null) {
                throw new IllegalArgumentException("catalog lists model " + model.id() + " twice");
            }
            if (model.mainlandId() != null) {
                mainland.put(model.mainlandId(), model);
            }
        }
        this.models = java.util.Collections.unmodifiableMap(byId);
        this.byMainlandId = Map.copyOf(mainland);
        for (DashScopePriceList list : DashScopePriceList.values()) {
            for (String id : PriceTableLoader.dashScope(list).models()) {
                if (!byId.containsKey(id)) {
                    throw new IllegalArgumentException("price list " + list + " prices unknown model " + id);
                }
            }
        }
    }

    private void checkModel(CloudModel model) {
        for (String tier : model.tiers()) {
            if (!tierSizes.containsKey(tier)) {
                throw new IllegalArgumentException("model " + model.id() + " names unknown tier " + tier);
            }
        }
        if (!model.tiers().contains(model.defaultTier())) {
            throw new IllegalArgumentException("model " + model.id() + " default-tier is not one of its tiers");
        }
        if (!model.durations().contains(model.defaultDuration())) {
            throw new IllegalArgumentException("model " + model.id() + " default-duration is not one of its durations");
        }
        model.usageShape();
    }

    /** The bundled catalog, read once and shared (a catalog is immutable). */
    public static ModelCatalog load() {
        return Bundled.CATALOG;
    }

    private static final class Bundled {
        static final ModelCatalog CATALOG = readBundled();
    }

    private static ModelCatalog readBundled() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("catalog resource " + RESOURCE + " is missing from the classpath");
            }
            return load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a catalog in the bundled format, e.g. an operator's newer copy. */
    public static ModelCatalog load(InputStream yaml) {
        YAMLMapper mapper = YAMLMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        return new ModelCatalog(mapper.readValue(yaml, Document.class));
    }

    /** The data version, {@code yyyy-MM-dd.n}. */
    public String version() {
        return version;
    }

    public List<CloudModel> models() {
        return List.copyOf(models.values());
    }

    /** Finds a model by its international id or its mainland spelling. */
    public Optional<CloudModel> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        CloudModel model = models.get(id);
        return Optional.ofNullable(model != null ? model : byMainlandId.get(id));
    }

    /** The concrete {@code W*H} sizes of a tier. */
    public List<String> sizes(String tier) {
        return tierSizes.getOrDefault(tier, List.of());
    }

    /** Every {@code W*H} size a model can produce. */
    public List<String> sizesOf(CloudModel model) {
        List<String> sizes = new ArrayList<>();
        model.tiers().forEach(tier -> sizes.addAll(sizes(tier)));
        return sizes;
    }

    /** The tier of a concrete size ({@code 1280*720} is {@code 720P}), if it is a listed size. */
    public Optional<String> tierOf(String size) {
        if (size == null) {
            return Optional.empty();
        }
        String normalised = size.strip().replace('x', '*').replace('X', '*');
        return tierSizes.entrySet().stream()
                .filter(e -> e.getValue().contains(normalised))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /** The name a model carries in {@code region} ({@code wanx2.1-t2v-turbo} on the mainland). */
    public String regionalId(CloudModel model, Region region) {
        return region == Region.MAINLAND && model.mainlandId() != null ? model.mainlandId() : model.id();
    }

    /** The tier a request will run at: its resolution or size, else the model's default. */
    public String tierOf(CloudModel model, VideoRequest request) {
        if (request.resolution() != null) {
            return request.resolution().strip().toUpperCase(java.util.Locale.ROOT);
        }
        return tierOf(request.size()).orElse(model.defaultTier());
    }

    /**
     * The unit price in force on {@code day} from the region's DashScope list (the US is billed by the
     * international one): the price for the sound the model will produce, which for a model whose audio is
     * optional depends on {@code withAudio}.
     *
     * @param modelId the international id or the mainland spelling
     */
    public Optional<CloudPrice> price(String modelId, Region region, Tier tier, boolean withAudio, LocalDate day) {
        return find(modelId).flatMap(model -> {
            boolean audio = switch (model.audio()) {
                case NONE -> false;
                case ALWAYS -> true;
                case OPTIONAL -> withAudio;
            };
            return PriceTableLoader.dashScope(region.priceList()).find(model.id(), tier, audio, day);
        });
    }

    /** The list price of a request if it succeeds: unit price times the requested (or default) seconds. */
    public Optional<Money> estimate(VideoRequest request, Region region, LocalDate day) {
        return find(request.model()).flatMap(model -> {
            int seconds = request.duration() == null ? model.defaultDuration() : request.duration();
            return Tier.ofLabel(tierOf(model, request)).flatMap(tier ->
                    price(model.id(), region, tier, model.hasAudio(request.audio()), day))
                    .map(p -> p.costOf(seconds));
        });
    }

    /**
     * Every reason {@code request} cannot run, in the form a client checks before sending ({@code strict}) or a
     * server checks on arrival. Strict also rejects what the service silently ignores but would betray the
     * caller's intent: an {@code audio} flag the model cannot honour, inputs of another kind.
     */
    public List<Violation> validate(VideoRequest request, boolean strict) {
        List<Violation> out = new ArrayList<>();
        if (request.model() == null || request.model().isBlank()) {
            out.add(new Violation("model", "BadRequest.EmptyModel", "Required parameter model is missing"));
            return out;
        }
        Optional<CloudModel> found = find(request.model());
        if (found.isEmpty()) {
            out.add(new Violation("model", "InvalidParameter", "Model not exist: '" + request.model()
                    + "'; known models are " + String.join(", ", models.keySet())));
            return out;
        }
        CloudModel model = found.get();
        checkInputs(model, request, strict, out);
        checkSize(model, request, strict, out);
        if (request.duration() != null && !model.durations().contains(request.duration())) {
            out.add(new Violation("parameters.duration", "InvalidParameter", "duration " + request.duration()
                    + " is not supported by " + model.id() + "; use one of " + model.durations()));
        }
        if (request.seed() != null && (request.seed() < 0 || request.seed() > MAX_SEED)) {
            out.add(new Violation("parameters.seed", "InvalidParameter",
                    "seed " + request.seed() + " must be within [0, 2147483647]"));
        }
        if (request.shotType() != null) {
            if (!SHOT_TYPES.contains(request.shotType())) {
                out.add(new Violation("parameters.shot_type", "InvalidParameter",
                        "shot_type '" + request.shotType() + "' must be single or multi"));
            } else if (strict && !model.shotTypes().contains(request.shotType())) {
                out.add(new Violation("parameters.shot_type", "InvalidParameter",
                        model.id() + " does not support shot_type"));
            }
        }
        if (request.audioUrl() != null) {
            if (!model.audioUrl()) {
                out.add(new Violation("input.audio_url", "InvalidParameter",
                        model.id() + " does not accept audio_url"));
            } else if (!isFetchableUrl(request.audioUrl(), false)) {
                out.add(new Violation("input.audio_url", "InvalidURL",
                        "audio_url must be an http(s) or oss:// URL"));
            }
        }
        if (strict && request.audio() != null) {
            if (model.audio() == AudioSupport.NONE && request.audio()) {
                out.add(new Violation("parameters.audio", "InvalidParameter", model.id() + " makes silent video only"));
            } else if (model.audio() == AudioSupport.ALWAYS && !request.audio()) {
                out.add(new Violation("parameters.audio", "InvalidParameter",
                        model.id() + " always generates sound; choose a model whose audio is optional"));
            }
        }
        return out;
    }

    private void checkInputs(CloudModel model, VideoRequest request, boolean strict, List<Violation> out) {
        boolean hasPrompt = request.prompt() != null && !request.prompt().isBlank();
        switch (model.kind()) {
            case T2V -> {
                if (!hasPrompt) {
                    out.add(new Violation("input.prompt", "InvalidParameter", "Field required: input.prompt"));
                }
            }
            case I2V -> requireUrl("input.img_url", request.imgUrl(), out);
            case R2V -> {
                if (!hasPrompt) {
                    out.add(new Violation("input.prompt", "InvalidParameter", "Field required: input.prompt"));
                }
                List<String> refs = request.referenceUrls();
                if (refs == null || refs.isEmpty()) {
                    out.add(new Violation("input.reference_urls", "InvalidParameter",
                            "Field required: input.reference_urls"));
                } else if (refs.size() > MAX_REFERENCES) {
                    out.add(new Violation("input.reference_urls", "InvalidParameter",
                            "at most " + MAX_REFERENCES + " references, got " + refs.size()));
                } else {
                    for (String ref : refs) {
                        if (!isFetchableUrl(ref, true)) {
                            out.add(new Violation("input.reference_urls", "InvalidURL",
                                    "reference '" + abbreviate(ref) + "' is not an http(s), oss:// or data: URL"));
                        }
                    }
                }
            }
            case KF2V -> {
                requireUrl("input.first_frame_url", request.firstFrameUrl(), out);
                requireUrl("input.last_frame_url", request.lastFrameUrl(), out);
            }
        }
        if (strict) {
            if (model.kind() != ModelKind.I2V && request.imgUrl() != null) {
                out.add(new Violation("input.img_url", "InvalidParameter", model.id() + " does not take img_url"));
            }
            if (model.kind() != ModelKind.R2V && request.referenceUrls() != null) {
                out.add(new Violation("input.reference_urls", "InvalidParameter",
                        model.id() + " does not take reference_urls"));
            }
            if (model.kind() != ModelKind.KF2V && (request.firstFrameUrl() != null || request.lastFrameUrl() != null)) {
                out.add(new Violation("input.first_frame_url", "InvalidParameter",
                        model.id() + " does not take key frames"));
            }
        }
    }

    private void checkSize(CloudModel model, VideoRequest request, boolean strict, List<Violation> out) {
        // The service ignores the parameter of the other sizing style (the official SDK sends both); a client
        // that sets it has misunderstood the model, so only strict checking refuses it.
        if (model.kind().sizedByResolution()) {
            if (request.resolution() != null) {
                String tier = request.resolution().strip().toUpperCase(java.util.Locale.ROOT);
                if (!model.tiers().contains(tier)) {
                    out.add(new Violation("parameters.resolution", "InvalidParameter", "resolution '"
                            + request.resolution() + "' is not supported by " + model.id() + "; use one of "
                            + model.tiers()));
                }
            }
            if (strict && request.size() != null) {
                out.add(new Violation("parameters.size", "InvalidParameter", model.id()
                        + " takes parameters.resolution (" + model.tiers() + "), not size"));
            }
        } else {
            if (request.size() != null) {
                List<String> allowed = sizesOf(model);
                if (!allowed.contains(request.size().strip())) {
                    out.add(new Violation("parameters.size", "InvalidParameter", "size '" + request.size()
                            + "' is not supported by " + model.id() + "; use one of " + allowed));
                }
            }
            if (strict && request.resolution() != null) {
                out.add(new Violation("parameters.resolution", "InvalidParameter", model.id()
                        + " takes parameters.size (W*H), not resolution"));
            }
        }
    }

    private static void requireUrl(String field, String url, List<Violation> out) {
        if (url == null || url.isBlank()) {
            out.add(new Violation(field, "InvalidParameter", "Field required: " + field));
        } else if (!isFetchableUrl(url, true)) {
            out.add(new Violation(field, "InvalidURL",
                    field + " '" + abbreviate(url) + "' is not an http(s), oss:// or data: URL"));
        }
    }

    private static boolean isFetchableUrl(String url, boolean dataAllowed) {
        String u = url.strip().toLowerCase(java.util.Locale.ROOT);
        if (u.startsWith("data:")) {
            return dataAllowed && u.contains(";base64,");
        }
        try {
            java.net.URI uri = java.net.URI.create(url.strip());
            String scheme = uri.getScheme();
            return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")
                    || scheme.equalsIgnoreCase("oss")) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
