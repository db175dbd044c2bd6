package dev.wanhybrid.gateway.budget;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A new job's reservation that no budget cap applies to, made ready by {@link SpendLedger#uncappedNew} to be written
 * with other jobs' in one statement ({@link SpendLedger#reserveAllNew}). It holds what the entry will hold: the
 * estimate, the amount held (the estimate plus the backend's margin) and the day and month it counts in.
 */
public record NewReservation(String jobId, String tenant, String backend, String model, BigDecimal estimateUsd,
        BigDecimal heldUsd, String dayKey, String monthKey, Instant at) {}
