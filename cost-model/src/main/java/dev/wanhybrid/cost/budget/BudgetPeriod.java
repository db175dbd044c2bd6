package dev.wanhybrid.cost.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;

/** The span a budget cap covers: a calendar day or a calendar month in an explicit time zone. */
public enum BudgetPeriod {
    DAY,
    MONTH;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BudgetPeriod parse(String text) {
        for (BudgetPeriod p : values()) {
            if (p.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("period must be day or month, was '" + text + "'");
    }

    /** The key of the period containing {@code at}: {@code 2026-11-22} for a day, {@code 2026-11} for a month. */
    public String keyOf(Instant at, ZoneId zone) {
        LocalDate day = at.atZone(zone).toLocalDate();
        return this == DAY ? day.toString() : YearMonth.from(day).toString();
    }

    /** Start of the period containing {@code at} (inclusive). */
    public Instant start(Instant at, ZoneId zone) {
        LocalDate day = at.atZone(zone).toLocalDate();
        LocalDate first = this == DAY ? day : day.withDayOfMonth(1);
        return first.atStartOfDay(zone).toInstant();
    }

    /** End of the period containing {@code at} (exclusive): the next midnight, or the first of the next month. */
    public Instant end(Instant at, ZoneId zone) {
        ZonedDateTime start = start(at, zone).atZone(zone);
        return (this == DAY ? start.plusDays(1) : start.plusMonths(1)).toInstant();
    }
}
