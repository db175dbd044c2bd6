package dev.wanhybrid.gateway.backend;

import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A paid backend's own record of what it billed: the provider's task list and task details, read back so the
 * ledger can be compared with them (billing reconciliation). Only backends that charge implement it.
 */
public interface BillingRecords {

    /** The backend id these records belong to. */
    String id();

    /**
     * Every billed (succeeded) task created in {@code [from, to)}.
     *
     * @throws BackendException when the provider cannot be read now; the caller tries again next round
     */
    List<BilledTask> billedTasks(Instant from, Instant to) throws BackendException;

    /**
     * One billed task as the provider reports it.
     *
     * @param model the catalog model id
     * @param prompt the prompt as sent ({@code orig_prompt}), or {@code null}
     * @param size the output size, when the usage reports one in pixels, else {@code null}
     * @param audio whether the output has sound, when reported
     */
    record BilledTask(String taskId, String model, Instant createdAt, String prompt, VideoSize size, int seconds,
            boolean audio, BigDecimal billedSeconds) {}
}
