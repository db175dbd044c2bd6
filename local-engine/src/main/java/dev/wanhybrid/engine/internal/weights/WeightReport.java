package dev.wanhybrid.engine.internal.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The difference between the tensors a model expects and those a checkpoint holds.
 *
 * @param missing expected names the checkpoint lacks
 * @param unexpected stored names the model does not use
 * @param misshaped names present in both whose shapes differ, as {@code name: expected [..] but found [..]}
 */
public record WeightReport(List<String> missing, List<String> unexpected, List<String> misshaped) {

    /** Compares expected shapes with stored entries; names listed in {@code ignorable} are never unexpected. */
    public static WeightReport compare(Map<String, long[]> expected, Map<String, TensorEntry> stored,
            java.util.function.Predicate<String> ignorable) {
        List<String> missing = new ArrayList<>();
        List<String> misshaped = new ArrayList<>();
        for (var e : new java.util.TreeMap<>(expected).entrySet()) {
            TensorEntry found = stored.get(e.getKey());
            if (found == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(found.shape(), e.getValue())) {
                misshaped.add(e.getKey() + ": expected " + Arrays.toString(e.getValue()) + " but found "
                        + Arrays.toString(found.shape()));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : new TreeSet<>(stored.keySet())) {
            if (!expected.containsKey(name) && !ignorable.test(name)) {
                unexpected.add(name);
            }
        }
        return new WeightReport(List.copyOf(missing), List.copyOf(unexpected), List.copyOf(misshaped));
    }

    public boolean isClean() {
        return missing.isEmpty() && unexpected.isEmpty() && misshaped.isEmpty();
    }

    /** A readable summary naming every offending tensor. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        if (!missing.isEmpty()) {
            text.append("missing ").append(missing.size()).append(": ").append(String.join(", ", missing));
        }
        if (!unexpected.isEmpty()) {
            text.append(text.isEmpty() ? "" : "; ").append("unexpected ").append(unexpected.size()).append(": ")
                    .append(String.join(", ", unexpected));
        }
        if (!misshaped.isEmpty()) {
            text.append(text.isEmpty() ? "" : "; ").append("mis-shaped ").append(misshaped.size()).append(": ")
                    .append(String.join("; ", misshaped));
        }
        return text.isEmpty() ? "all tensors match" : text.toString();
    }
}
