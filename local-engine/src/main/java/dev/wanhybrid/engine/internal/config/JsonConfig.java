package dev.wanhybrid.engine.internal.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.wanhybrid.engine.internal.weights.WeightsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A component's {@code config.json}, read with messages that name the file and the missing key. */
public final class JsonConfig {

    private final Path file;
    private final JsonObject root;

    private JsonConfig(Path file, JsonObject root) {
        this.file = file;
        this.root = root;
    }

    public static JsonConfig read(Path file) {
        try {
            return new JsonConfig(file, JsonParser.parseString(Files.readString(file)).getAsJsonObject());
        } catch (IOException | RuntimeException e) {
            throw new WeightsException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private JsonElement required(String key) {
        JsonElement value = root.get(key);
        if (value == null || value.isJsonNull()) {
            throw new WeightsException(file + " lacks the key " + key);
        }
        return value;
    }

    public boolean has(String key) {
        return root.has(key) && !root.get(key).isJsonNull();
    }

    public int integer(String key) {
        return required(key).getAsInt();
    }

    public int integer(String key, int fallback) {
        return has(key) ? root.get(key).getAsInt() : fallback;
    }

    public double number(String key) {
        return required(key).getAsDouble();
    }

    public double number(String key, double fallback) {
        return has(key) ? root.get(key).getAsDouble() : fallback;
    }

    public String string(String key, String fallback) {
        return has(key) ? root.get(key).getAsString() : fallback;
    }

    public boolean bool(String key, boolean fallback) {
        return has(key) ? root.get(key).getAsBoolean() : fallback;
    }

    public int[] integers(String key) {
        var array = required(key).getAsJsonArray();
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    public boolean[] booleans(String key) {
        var array = required(key).getAsJsonArray();
        boolean[] out = new boolean[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsBoolean();
        }
        return out;
    }

    public float[] floats(String key) {
        var array = required(key).getAsJsonArray();
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsFloat();
        }
        return out;
    }
}
