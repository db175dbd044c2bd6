package dev.wanhybrid.gateway.routing;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * One feasible place to run a request.
 *
 * @param backend {@code local} or {@code cloud}
 * @param model the concrete catalog model id
 * @param estimatedCostUsd estimated cost in US dollars (marginal for local, list price for cloud)
 * @param estimatedTime estimated time to a finished video (queue wait plus service time)
 */
public record RouteCandidate(String backend, String model, BigDecimal estimatedCostUsd, Duration estimatedTime) {}
