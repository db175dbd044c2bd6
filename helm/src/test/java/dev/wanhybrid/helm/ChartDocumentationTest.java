package dev.wanhybrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every value is documented: a {@code # --} comment in values.yaml and a row in the chart's README. */
class ChartDocumentationTest {

    private static final Pattern KEY = Pattern.compile("^(\\s*)([A-Za-z0-9_.]+):(.*)$");

    @Test
    void everyLeafValueHasADocComment() throws IOException {
        List<String> undocumented = new ArrayList<>();
        for (Value value : values()) {
            if (value.leaf() && !value.documented()) {
                undocumented.add(value.path());
            }
        }
        assertThat(undocumented).as("values without a '# --' comment").isEmpty();
    }

    @Test
    void everyDocumentedValueHasARowInTheReadme() throws IOException {
        String readme = Files.readString(ChartRenderer.CHART.resolve("README.md"));
        for (Value value : values()) {
            if (value.documented()) {
                assertThat(readme).as("README row for " + value.path()).contains("| `" + value.path() + "` |");
            }
        }
    }

    private record Value(String path, boolean leaf, boolean documented) {}

    /** Keys of values.yaml by indentation: a key whose value is on its own line is a leaf. */
    private static List<Value> values() throws IOException {
        List<String> lines = Files.readAllLines(ChartRenderer.CHART.resolve("values.yaml"));
        List<Value> values = new ArrayList<>();
        List<String> stack = new ArrayList<>();
        // Keys inside a documented map (podSecurityContext, resources, nodeSelector, ...) are its default content.
        String documentedMap = null;
        boolean documented = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("# --")) {
                documented = true;
                continue;
            }
            Matcher m = KEY.matcher(line);
            if (!m.matches() || line.strip().startsWith("#") || line.strip().startsWith("-")) {
                continue;
            }
            int depth = m.group(1).length() / 2;
            while (stack.size() > depth) {
                stack.removeLast();
            }
            stack.add(m.group(2));
            String path = String.join(".", stack);
            if (documentedMap != null && path.startsWith(documentedMap + ".")) {
                documented = false;
                continue;
            }
            boolean leaf = !m.group(3).isBlank() || !nextKeyIsDeeper(lines, i, m.group(1).length());
            if (documented && !leaf) {
                documentedMap = path;
                leaf = true;
            }
            values.add(new Value(path, leaf, documented));
            documented = false;
        }
        return values;
    }

    private static boolean nextKeyIsDeeper(List<String> lines, int index, int indent) {
        for (int j = index + 1; j < lines.size(); j++) {
            String next = lines.get(j);
            if (next.isBlank() || next.strip().startsWith("#")) {
                continue;
            }
            int nextIndent = next.length() - next.stripLeading().length();
            // A block value (map or list) sits deeper; a list item at the same indent belongs to this key too.
            return nextIndent > indent || (nextIndent == indent && next.strip().startsWith("-"));
        }
        return false;
    }
}
