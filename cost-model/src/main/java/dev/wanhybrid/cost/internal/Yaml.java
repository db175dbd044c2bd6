package dev.wanhybrid.cost.internal;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Small helpers that read configuration trees and name the key at fault when a value is wrong. */
public final class Yaml {

    // Floats as BigDecimal: an unquoted 0.0375 must not pass through a double on its way to a price.
    private static final YAMLMapper MAPPER =
            YAMLMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private Yaml() {}

    public static JsonNode read(InputStream in, String source) throws IOException {
        try {
            JsonNode root = MAPPER.readTree(in);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(source + ": expected a mapping at the top level");
            }
            return root;
        } catch (JacksonException e) {
            throw new IOException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
    }

    public static JsonNode required(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw new IllegalArgumentException(where + "." + key + " is missing");
        }
        return value;
    }

    public static String text(JsonNode node, String key, String where) {
        String value = required(node, key, where).asString();
        if (value.isBlank()) {
            throw new IllegalArgumentException(where + "." + key + " must not be blank");
        }
        return value.trim();
    }

    public static String optionalText(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value.asString().trim();
    }

    public static BigDecimal decimal(JsonNode value, String where) {
        if (value.isNumber()) {
            return value.decimalValue();
        }
        String text = value.asString();
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " must be a decimal number, was '" + text + "'", e);
        }
    }

    public static BigDecimal decimal(JsonNode node, String key, String where) {
        return decimal(required(node, key, where), where + "." + key);
    }

    public static BigDecimal optionalDecimal(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : decimal(value, where + "." + key);
    }

    public static int integer(JsonNode node, String key, String where) {
        BigDecimal d = decimal(node, key, where);
        try {
            return d.intValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(where + "." + key + " must be a whole number, was " + d, e);
        }
    }

    public static LocalDate optionalDate(JsonNode node, String key, String where) {
        String text = optionalText(node, key);
        if (text == null) {
            return null;
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + "." + key + " must be a date like 2025-09-23, was '" + text + "'", e);
        }
    }

    public static Currency currency(JsonNode node, String key, String where) {
        String code = text(node, key, where);
        try {
            return Currency.getInstance(code);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "." + key + " must be an ISO 4217 code such as USD, was '" + code + "'", e);
        }
    }
}
