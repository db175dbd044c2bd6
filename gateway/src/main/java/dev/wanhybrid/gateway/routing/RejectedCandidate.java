package dev.wanhybrid.gateway.routing;

/**
 * A candidate the router ruled out.
 *
 * @param backend {@code local} or {@code cloud}
 * @param model the catalog model id
 * @param reason fixed-vocabulary code such as {@code no_audio}, {@code size_unsupported}, {@code breaker_open},
 *     {@code deadline}, {@code over_max_cost}, {@code budget}, {@code local_only}, {@code not_ready}
 * @param detail a sentence for humans
 */
public record RejectedCandidate(String backend, String model, String reason, String detail) {}
