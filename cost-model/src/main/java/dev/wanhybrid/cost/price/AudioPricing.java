package dev.wanhybrid.cost.price;

import java.util.Locale;

/** Which output a price applies to: any output, only videos with sound, or only silent videos. */
public enum AudioPricing {
    ANY,
    WITH_AUDIO,
    SILENT;

    boolean matches(boolean audio) {
        return this == ANY || (audio ? this == WITH_AUDIO : this == SILENT);
    }

    static AudioPricing parse(String text, String where) {
        String t = text == null ? "any" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "any", "" -> ANY;
            case "with", "with_audio", "true", "audio" -> WITH_AUDIO;
            case "without", "silent", "false" -> SILENT;
            default -> throw new IllegalArgumentException(where + ".audio must be any, with or silent, was '" + text + "'");
        };
    }
}
