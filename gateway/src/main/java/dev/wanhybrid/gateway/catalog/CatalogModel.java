package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;

/**
 * One model of the catalog and what it can do; {@code loras} are the LoRA names it applies (the in-JVM engine's
 * registry, {@code gateway.local.loras}, for a local model marked {@code lora: true}; a remote engine model's
 * configured {@code loras}; none for cloud models). It is the one place routing and the API's checks learn which
 * model has which LoRA.
 *
 * <p>A silent request is accepted by every model: models whose output always carries sound (wan2.5, wan2.6)
 * simply add a track, which a client that asked for nothing can ignore.
 */
public record CatalogModel(String id, String backend, Set<TaskKind> kinds, SortedSet<Integer> seconds,
        int defaultSeconds, int fps, Set<AudioMode> audio, QualityTier quality, VideoSize defaultSize,
        List<ModelTier> tiers, Set<String> loras) {

    /** A model that applies no LoRAs. */
    public CatalogModel(String id, String backend, Set<TaskKind> kinds, SortedSet<Integer> seconds,
            int defaultSeconds, int fps, Set<AudioMode> audio, QualityTier quality, VideoSize defaultSize,
            List<ModelTier> tiers) {
        this(id, backend, kinds, seconds, defaultSeconds, fps, audio, quality, defaultSize, tiers, Set.of());
    }

    public CatalogModel {
        kinds = Set.copyOf(kinds);
        seconds = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(seconds));
        audio = Set.copyOf(audio);
        tiers = List.copyOf(tiers);
        loras = loras == null ? Set.of() : Set.copyOf(loras);
    }

    /**
     * The hash of what names a model: its id and backend. Equal models have equal ids and backends, so this agrees
     * with the record's {@code equals}; the record's own hash walked every set and tier, and the router keys a map
     * by model for each candidate of every decision (a fifth of a decision's time, measured with JFR).
     */
    @Override
    public int hashCode() {
        return 31 * id.hashCode() + backend.hashCode();
    }

    /** Whether it applies any LoRA at all. */
    public boolean appliesLoras() {
        return !loras.isEmpty();
    }

    /** Whether it applies the LoRA of this name. */
    public boolean applies(String lora) {
        return loras.contains(lora);
    }

    /** On the in-JVM engine (or the cluster's GPU workers). */
    public boolean isLocal() {
        return Backend.LOCAL.is(backend);
    }

    /** On the paid cloud API: the default DashScope account or one more cloud source ({@code cloud-cn}). */
    public boolean isCloud() {
        return Backend.isCloud(backend);
    }

    /** On a remote self-hosted server ({@code gateway.remote-engines[]}); its backend is the server's name. */
    public boolean isRemote() {
        return !isLocal() && !isCloud();
    }

    /** On GPUs the team runs: the in-JVM engine or a remote self-hosted server. */
    public boolean isSelfHosted() {
        return !isCloud();
    }

    /** The tier that lists this exact size, if any. */
    public Optional<ModelTier> tierOf(VideoSize size) {
        for (ModelTier t : tiers) { // (a loop, not a stream: the router asks this for every candidate twice)
            if (t.sizes().contains(size)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Whether the model can produce the wanted sound. */
    public boolean supports(AudioSpec wanted) {
        return switch (wanted) {
            case AudioSpec.None none -> true;
            case AudioSpec.Generated generated -> audio.contains(AudioMode.GENERATED);
            case AudioSpec.FromUrl fromUrl -> audio.contains(AudioMode.URL);
        };
    }

    /** Every size it serves, in tier order. */
    public List<VideoSize> allSizes() {
        List<VideoSize> all = new java.util.ArrayList<>();
        for (ModelTier t : tiers) {
            all.addAll(t.sizes());
        }
        return List.copyOf(all);
    }

    /** Every size it serves, in tier order, as one comma-separated list ("832x480, 480x832, ..."). */
    public String offeredSizes() {
        StringBuilder text = new StringBuilder();
        for (VideoSize size : allSizes()) {
            text.append(text.isEmpty() ? "" : ", ").append(size);
        }
        return text.toString();
    }

    public int maxSeconds() {
        return seconds.last();
    }
}
