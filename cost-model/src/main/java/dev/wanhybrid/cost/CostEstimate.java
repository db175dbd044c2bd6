package dev.wanhybrid.cost;

/**
 * What one request is expected to cost on one backend.
 *
 * @param backend where it would run
 * @param model the model it would run on
 * @param amount the figure the router compares: list price for cloud, marginal cost for local
 * @param fullyLoaded list price for cloud; marginal plus the share of the fleet's fixed cost for local
 * @param gpuSeconds predicted GPU-seconds for local, 0 for cloud
 */
public record CostEstimate(Backend backend, String model, Money amount, Money fullyLoaded, double gpuSeconds) {}
