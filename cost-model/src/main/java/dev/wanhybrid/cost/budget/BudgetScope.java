package dev.wanhybrid.cost.budget;

import java.util.Locale;

/** Whom a cap applies to: everyone together, or one tenant. */
public enum BudgetScope {
    GLOBAL,
    TENANT;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BudgetScope parse(String text) {
        for (BudgetScope s : values()) {
            if (s.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("scope must be global or tenant, was '" + text + "'");
    }
}
