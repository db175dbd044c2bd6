package dev.wanhybrid.cloud.catalog;

/**
 * One reason a request cannot run on a model.
 *
 * @param field the request field at fault, in DashScope's dotted form ({@code parameters.size})
 * @param code DashScope's error code for it ({@code InvalidParameter}, {@code BadRequest.EmptyModel}, ...)
 * @param message a sentence naming the value and what is accepted
 */
public record Violation(String field, String code, String message) {}
