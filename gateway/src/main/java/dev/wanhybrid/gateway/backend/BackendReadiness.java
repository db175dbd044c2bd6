package dev.wanhybrid.gateway.backend;

/**
 * Whether a backend can take work, with a sentence for operators.
 *
 * @param ready {@code true} when submissions can be accepted now
 * @param detail what is configured, or what is missing and how to provide it (never a secret)
 */
public record BackendReadiness(boolean ready, String detail) {

    public static BackendReadiness ready(String detail) {
        return new BackendReadiness(true, detail);
    }

    public static BackendReadiness notReady(String whatIsMissingAndHowToFix) {
        return new BackendReadiness(false, whatIsMissingAndHowToFix);
    }
}
