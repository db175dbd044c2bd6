package dev.wanhybrid.cloud;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/** DashScope's timestamps: {@code yyyy-MM-dd HH:mm:ss.SSS} with no zone, which are UTC+8. */
public final class DashScopeTimes {

    /** The zone DashScope writes its zone-less times in. */
    public static final ZoneOffset ZONE = ZoneOffset.ofHours(8);

    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd")
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    private static final DateTimeFormatter WRITER = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    /** The task list's query form, {@code yyyyMMddHHmmss}. */
    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private DashScopeTimes() {}

    /** Parses a DashScope time; a zone or offset in the text wins over UTC+8. Returns {@code null} for blank. */
    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip();
        if (t.length() == 14 && t.chars().allMatch(Character::isDigit)) {
            return LocalDateTime.parse(t, COMPACT).toInstant(ZONE);
        }
        if (t.length() == 13 && t.chars().allMatch(Character::isDigit)) {
            return Instant.ofEpochMilli(Long.parseLong(t));
        }
        try {
            return LocalDateTime.parse(t, LENIENT).toInstant(ZONE);
        } catch (DateTimeParseException zoneless) {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException withZone) {
                return Instant.parse(t);
            }
        }
    }

    /** Writes an instant in the task list's query form, {@code yyyyMMddHHmmss} in UTC+8. */
    public static String formatCompact(Instant instant) {
        return instant == null ? null : COMPACT.format(instant.atOffset(ZONE));
    }

    /** Writes an instant the way DashScope does. */
    public static String format(Instant instant) {
        return instant == null ? null : WRITER.format(instant.atOffset(ZONE));
    }
}
