package dev.wanhybrid.cloud.catalog;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.price.CloudPrice;
import dev.wanhybrid.cost.price.CloudPriceTable;
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
        for (CloudModel model : byId.values()) {
            if (model.successor() != null && !byId.containsKey(model.successor())) {
                throw new IllegalArgumentException("model " + model.id() + " names unknown successor "
                        + model.successor());
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
        if (!model.usesMedia() && (model.kind() == ModelKind.EDIT || model.kind() == ModelKind.ANY)) {
            throw new IllegalArgumentException("model " + model.id() + " of kind " + model.kind()
                    + " needs protocol: media");
        }
        if (model.successor() != null && model.successor().equals(model.id())) {
            throw new IllegalArgumentException("model " + model.id() + " names itself as its successor");
        }
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
        return price(PriceTableLoader.dashScope(region.priceList()), modelId, tier, withAudio, day);
    }

    /**
     * The unit price in force on {@code day} in {@code table} (a list, or an account's own prices in the same
     * format: contract prices, discounted lines), for the sound the model will produce.
     */
    public Optional<CloudPrice> price(CloudPriceTable table, String modelId, Tier tier, boolean withAudio,
            LocalDate day) {
        return find(modelId).flatMap(model -> {
            boolean audio = switch (model.audio()) {
                case NONE -> false;
                case ALWAYS -> true;
                case OPTIONAL -> withAudio;
            };
            return table.find(model.id(), tier, audio, day);
        });
    }

    /**
     * The list price of a request if it succeeds: unit price times the requested (or default) seconds, plus the
     * input video seconds reserved for its reference or edited videos ({@link CloudModel#reservedInputVideoSeconds}).
     */
    public Optional<Money> estimate(VideoRequest request, Region region, LocalDate day) {
        return find(request.model()).flatMap(model -> {
            int seconds = billableSeconds(model, request) + model.reservedInputVideoSeconds(request.media() == null
                    ? List.of() : request.media().stream().flatMap(m -> MediaType.parse(m.type()).stream()).toList());
            return Tier.ofLabel(tierOf(model, request)).flatMap(tier ->
                    price(model.id(), region, tier, model.hasAudio(request.audio()), day))
                    .map(p -> p.costOf(seconds));
        });
    }

    /**
     * The output seconds a request is reserved for: its duration, the model's default when it names none, and the
     * longest the model makes when it lets the model choose (a smart duration, or an edit that keeps its input's
     * length): an estimate is an upper bound, never below what can be billed.
     */
    public int billableSeconds(CloudModel model, VideoRequest request) {
        Integer d = request.duration();
        if (d == null) {
            return modeOf(request).filter(m -> m == VideoMode.VIDEO_EDIT).isPresent() ? model.maxDuration()
                    : model.defaultDuration();
        }
        return d <= 0 ? model.maxDuration() : d;
    }

    /** Where {@code modelId} stands on {@code day}, warning {@code warnDays} ahead of a retirement. */
    public Optional<ModelLifecycle> lifecycle(String modelId, LocalDate day, int warnDays) {
        return find(modelId).map(m -> m.lifecycleOn(day, warnDays));
    }

    /** {@link #validate(VideoRequest, boolean)}, and a model that is retired or not yet available on {@code day}. */
    public List<Violation> validate(VideoRequest request, boolean strict, LocalDate day) {
        List<Violation> out = new ArrayList<>();
        Optional<ModelLifecycle> lifecycle = day == null ? Optional.empty() : lifecycle(request.model(), day, 0);
        if (lifecycle.isPresent() && !lifecycle.get().sendable()) {
            out.add(new Violation("model", "InvalidParameter",
                    lifecycle.get().refusal(find(request.model()).orElseThrow().id())));
        }
        out.addAll(validate(request, strict));
        return out;
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
        if (model.usesMedia()) {
            checkMedia(model, request, strict, out);
            checkTierAndRatio(model, request, strict, out);
        } else {
            checkInputs(model, request, strict, out);
            checkSize(model, request, strict, out);
        }
        if (request.duration() != null && !durationAccepted(model, request)) {
            out.add(new Violation("parameters.duration", "InvalidParameter", "duration " + request.duration()
                    + " is not supported by " + model.id() + "; use one of " + model.durations()
                    + (model.smartDuration() ? " or -1 (the model chooses)" : "")));
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
            if (request.media() != null) {
                out.add(new Violation("input.media", "InvalidParameter", model.id()
                        + " reads the legacy protocol (img_url, reference_urls, key-frame URLs), not input.media"));
            }
            if (request.ratio() != null) {
                out.add(new Violation("parameters.ratio", "InvalidParameter", model.id() + " takes no ratio"));
            }
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

    private static boolean durationAccepted(CloudModel model, VideoRequest request) {
        int d = request.duration();
        if (model.durations().contains(d)) {
            return true;
        }
        if (d == CloudModel.SMART_DURATION && model.smartDuration()) {
            return true;
        }
        // An edit of duration 0 keeps the input video's length (Alibaba's documented default).
        return d == 0 && model.usesMedia() && modeOf(request.media()).filter(m -> m == VideoMode.VIDEO_EDIT).isPresent();
    }

    /** The mode a request asks for: from its media on the new protocol, from the model's kind on the legacy one. */
    public Optional<VideoMode> modeOf(VideoRequest request) {
        Optional<CloudModel> model = find(request.model());
        if (model.isPresent() && !model.get().usesMedia()) {
            return Optional.of(model.get().modes().getFirst());
        }
        return modeOf(request.media());
    }

    /**
     * The mode a list of media asks for, or empty when the combination is not one the new protocol accepts:
     * none: text-to-video; {@code first_frame} [+ {@code driving_audio}]: image-to-video; {@code first_frame} +
     * {@code last_frame} [+ {@code driving_audio}]: first-and-last-frame; {@code first_clip} [+ {@code last_frame}]:
     * continuation; {@code reference_image}/{@code reference_video} [+ one {@code first_frame}]:
     * reference-to-video; one {@code video} [+ {@code reference_image}s]: editing.
     */
    public static Optional<VideoMode> modeOf(List<VideoRequest.Media> media) {
        return Optional.ofNullable(inferMode(media, null));
    }

    /** Adds to {@code out} (when given) why a combination is refused; answers the mode, or {@code null}. */
    private static VideoMode inferMode(List<VideoRequest.Media> media, List<Violation> out) {
        Map<MediaType, Integer> n = new java.util.EnumMap<>(MediaType.class);
        for (MediaType t : MediaType.values()) {
            n.put(t, 0);
        }
        if (media != null) {
            for (VideoRequest.Media m : media) {
                if (m != null) {
                    MediaType.parse(m.type()).ifPresent(t -> n.merge(t, 1, Integer::sum));
                }
            }
        }
        int refs = n.get(MediaType.REFERENCE_IMAGE) + n.get(MediaType.REFERENCE_VIDEO);
        VideoMode mode;
        Set<MediaType> allowed;
        if (n.get(MediaType.VIDEO) > 0) {
            mode = VideoMode.VIDEO_EDIT;
            allowed = Set.of(MediaType.VIDEO, MediaType.REFERENCE_IMAGE);
        } else if (refs > 0) {
            mode = VideoMode.REFERENCE_TO_VIDEO;
            allowed = Set.of(MediaType.REFERENCE_IMAGE, MediaType.REFERENCE_VIDEO, MediaType.FIRST_FRAME);
        } else if (n.get(MediaType.FIRST_CLIP) > 0) {
            mode = VideoMode.VIDEO_CONTINUATION;
            allowed = Set.of(MediaType.FIRST_CLIP, MediaType.LAST_FRAME);
        } else if (n.get(MediaType.FIRST_FRAME) > 0) {
            mode = n.get(MediaType.LAST_FRAME) > 0 ? VideoMode.FIRST_LAST_FRAME : VideoMode.IMAGE_TO_VIDEO;
            allowed = Set.of(MediaType.FIRST_FRAME, MediaType.LAST_FRAME, MediaType.DRIVING_AUDIO);
        } else if (n.get(MediaType.LAST_FRAME) > 0 || n.get(MediaType.DRIVING_AUDIO) > 0) {
            if (out != null) {
                out.add(new Violation("input.media", "InvalidParameter", (n.get(MediaType.LAST_FRAME) > 0
                        ? "last_frame needs a first_frame or a first_clip" : "driving_audio needs a first_frame")));
            }
            return null;
        } else {
            return VideoMode.TEXT_TO_VIDEO;
        }
        List<String> problems = new ArrayList<>();
        for (MediaType t : MediaType.values()) {
            if (n.get(t) > 0 && !allowed.contains(t)) {
                problems.add(t.wire() + " cannot be combined with " + mode.id() + " media");
            }
        }
        for (MediaType single : List.of(MediaType.VIDEO, MediaType.FIRST_CLIP, MediaType.FIRST_FRAME,
                MediaType.LAST_FRAME, MediaType.DRIVING_AUDIO)) {
            if (n.get(single) > 1) {
                problems.add("at most one " + single.wire() + ", got " + n.get(single));
            }
        }
        if (!problems.isEmpty()) {
            if (out != null) {
                out.add(new Violation("input.media", "InvalidParameter", String.join("; ", problems)));
            }
            return null;
        }
        return mode;
    }

    private void checkMedia(CloudModel model, VideoRequest request, boolean strict, List<Violation> out) {
        List<VideoRequest.Media> media = request.media() == null ? List.of() : request.media();
        int before = out.size();
        for (int i = 0; i < media.size(); i++) {
            VideoRequest.Media m = media.get(i);
            String at = "input.media[" + i + "]";
            if (m == null) {
                out.add(new Violation(at, "InvalidParameter", at + " must be an object with type and url"));
                continue;
            }
            Optional<MediaType> type = MediaType.parse(m.type());
            if (type.isEmpty()) {
                out.add(new Violation(at + ".type", "InvalidParameter", (m.type() == null ? "Field required: "
                        + at + ".type" : "unknown media type '" + abbreviate(m.type()) + "'") + "; use one of "
                        + MediaType.names()));
            }
            if (m.url() == null || m.url().isBlank()) {
                out.add(new Violation(at + ".url", "InvalidParameter", "Field required: " + at + ".url"));
            } else if (!isFetchableUrl(m.url(), type.map(MediaType::acceptsDataUrl).orElse(false))) {
                out.add(new Violation(at + ".url", "InvalidURL", at + ".url '" + abbreviate(m.url())
                        + "' is not an http(s) or oss:// URL" + (type.map(MediaType::acceptsDataUrl).orElse(false)
                        ? " (or a data: URL)" : "")));
            }
        }
        if (out.size() > before) {
            return;
        }
        VideoMode mode = inferMode(media, out);
        if (mode == null) {
            return;
        }
        if (!model.supports(mode)) {
            out.add(new Violation("input.media", "InvalidParameter", model.id() + " does not do " + mode.id()
                    + (media.isEmpty() ? " (no media)" : "") + "; it does " + VideoMode.ids(model.modes())));
            return;
        }
        long refs = media.stream().filter(m -> m.type() != null).map(m -> MediaType.parse(m.type()).orElseThrow())
                .filter(t -> t == MediaType.REFERENCE_IMAGE || t == MediaType.REFERENCE_VIDEO).count();
        if (refs > model.maxReferences()) {
            out.add(new Violation("input.media", "InvalidParameter", "at most " + model.maxReferences()
                    + " reference images and videos, got " + refs));
        }
        boolean refVideo = media.stream().anyMatch(m -> MediaType.REFERENCE_VIDEO.wire().equals(m.type()));
        if (refVideo && model.referenceVideoMaxDuration() != null && request.duration() != null
                && request.duration() > model.referenceVideoMaxDuration()) {
            out.add(new Violation("parameters.duration", "InvalidParameter", "with a reference video "
                    + model.id() + " makes at most " + model.referenceVideoMaxDuration() + " s, not "
                    + request.duration()));
        }
        boolean hasPrompt = request.prompt() != null && !request.prompt().isBlank();
        if (!hasPrompt && (mode == VideoMode.TEXT_TO_VIDEO || mode == VideoMode.REFERENCE_TO_VIDEO
                || mode == VideoMode.VIDEO_EDIT)) {
            out.add(new Violation("input.prompt", "InvalidParameter", "Field required: input.prompt"));
        }
        if (strict) {
            Map<String, Object> legacyInputs = new LinkedHashMap<>();
            legacyInputs.put("input.img_url", request.imgUrl());
            legacyInputs.put("input.reference_urls", request.referenceUrls());
            legacyInputs.put("input.first_frame_url", request.firstFrameUrl());
            legacyInputs.put("input.last_frame_url", request.lastFrameUrl());
            legacyInputs.forEach((field, value) -> {
                if (value != null) {
                    out.add(new Violation(field, "InvalidParameter", model.id()
                            + " reads its inputs from input.media, not " + field));
                }
            });
        }
    }

    private void checkTierAndRatio(CloudModel model, VideoRequest request, boolean strict, List<Violation> out) {
        checkResolution(model, request, out);
        if (request.ratio() != null && !model.ratios().contains(request.ratio().strip())) {
            out.add(new Violation("parameters.ratio", "InvalidParameter", "ratio '" + request.ratio()
                    + "' is not supported by " + model.id() + "; use one of " + model.ratios()));
        }
        if (strict && request.size() != null) {
            out.add(new Violation("parameters.size", "InvalidParameter", model.id()
                    + " takes parameters.resolution (" + model.tiers() + ") and ratio (" + model.ratios()
                    + "), not size"));
        }
    }

    private static void checkResolution(CloudModel model, VideoRequest request, List<Violation> out) {
        if (request.resolution() != null) {
            String tier = request.resolution().strip().toUpperCase(java.util.Locale.ROOT);
            if (!model.tiers().contains(tier)) {
                out.add(new Violation("parameters.resolution", "InvalidParameter", "resolution '"
                        + request.resolution() + "' is not supported by " + model.id() + "; use one of "
                        + model.tiers()));
            }
        }
    }

    private void checkSize(CloudModel model, VideoRequest request, boolean strict, List<Violation> out) {
        // The service ignores the parameter of the other sizing style (the official SDK sends both); a client
        // that sets it has misunderstood the model, so only strict checking refuses it.
        if (model.kind().sizedByResolution()) {
            checkResolution(model, request, out);
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
