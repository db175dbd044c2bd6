package dev.wanhybrid.engine.internal.weights;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * The safetensors of one Diffusers component folder ({@code transformer/}, {@code vae/}, ...), single-file or
 * sharded with a {@code *.safetensors.index.json}.
 */
public final class ComponentWeights implements WeightSource, AutoCloseable {

    private final Path folder;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owner;
    private final Map<String, TensorEntry> entries;

    private ComponentWeights(Path folder, List<SafetensorsFile> files) {
        this.folder = folder;
        this.files = files;
        this.owner = new HashMap<>();
        this.entries = new LinkedHashMap<>();
        for (SafetensorsFile file : files) {
            for (TensorEntry entry : file.entries().values()) {
                SafetensorsFile previous = owner.putIfAbsent(entry.name(), file);
                if (previous != null) {
                    throw new WeightsException(folder + ": tensor " + entry.name() + " is stored twice, in "
                            + previous.path().getFileName() + " and " + file.path().getFileName());
                }
                entries.put(entry.name(), entry);
            }
        }
    }

    /** Opens every shard named by the folder's index, or its single safetensors file. */
    public static ComponentWeights open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new WeightsException("checkpoint folder " + folder + " does not exist");
        }
        List<Path> shards = shardsOf(folder);
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path shard : shards) {
                opened.add(SafetensorsFile.open(shard));
            }
            return new ComponentWeights(folder, opened);
        } catch (IOException | RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e instanceof WeightsException we ? we
                    : new WeightsException("cannot read weights in " + folder + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> shardsOf(Path folder) {
        try (Stream<Path> listing = Files.list(folder)) {
            List<Path> all = listing.sorted().toList();
            List<Path> indexes = all.stream().filter(p -> p.getFileName().toString().endsWith(".safetensors.index.json"))
                    .toList();
            if (!indexes.isEmpty()) {
                JsonObject index = JsonParser.parseString(Files.readString(indexes.get(0))).getAsJsonObject();
                List<Path> shards = new ArrayList<>();
                for (var e : index.getAsJsonObject("weight_map").entrySet()) {
                    Path shard = folder.resolve(e.getValue().getAsString());
                    if (!shards.contains(shard)) {
                        if (!Files.isRegularFile(shard)) {
                            throw new WeightsException(indexes.get(0) + " names shard " + shard.getFileName()
                                    + " (for " + e.getKey() + "), which is missing");
                        }
                        shards.add(shard);
                    }
                }
                return shards;
            }
            List<Path> single = all.stream().filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList();
            if (single.isEmpty()) {
                throw new WeightsException("no .safetensors file in " + folder);
            }
            return single;
        } catch (IOException e) {
            throw new WeightsException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    public Path folder() {
        return folder;
    }

    public Map<String, TensorEntry> entries() {
        return entries;
    }

    /** Compares the stored names and shapes with what a model expects. */
    public WeightReport check(Map<String, long[]> expected, Predicate<String> ignorable) {
        return WeightReport.compare(expected, entries, ignorable);
    }

    /**
     * Loads every expected tensor converted to {@code dtype}, after checking names and shapes; any mismatch
     * fails with a message that names each offending tensor.
     */
    public Map<String, Tensor> load(Map<String, long[]> expected, Predicate<String> ignorable, DType dtype) {
        return load(expected, ignorable, name -> dtype, null);
    }

    /**
     * As {@link #load(Map, Predicate, DType)}, choosing the dtype per tensor (matmul weights vs norms) and moving
     * each tensor to {@code device} (null: stay on the CPU) as soon as it is read, so host memory holds one
     * tensor at a time.
     */
    @Override
    public Map<String, Tensor> load(Map<String, long[]> expected, Predicate<String> ignorable,
            java.util.function.Function<String, DType> dtypes, org.bytedeco.pytorch.Device device) {
        WeightReport report = check(expected, ignorable);
        if (!report.isClean()) {
            throw new WeightsException(folder + " does not match the model configuration: " + report.describe());
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            tensors.put(name, Tensors.onDevice(read(name, dtypes.apply(name)), device));
        }
        return tensors;
    }

    /** Reads one stored tensor converted to {@code dtype}. */
    public Tensor read(String name, DType dtype) {
        SafetensorsFile file = owner.get(name);
        if (file == null) {
            throw new WeightsException(folder + " has no tensor " + name);
        }
        return file.read(name, dtype);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
