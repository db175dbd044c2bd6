package dev.wanhybrid.gateway.billing;

import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.BillingRecords;
import dev.wanhybrid.gateway.backend.BillingRecords.BilledTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobPhase;
import dev.wanhybrid.gateway.jobs.JobStore;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Makes the ledger equal the provider's billing. Each round reads every billed task of the last day from each paid
 * backend ({@link BillingRecords}) and compares it with the jobs and the ledger:
 * <ul>
 *   <li>a task held by a completed or still active job is that job's to settle: nothing to do;</li>
 *   <li>a task held by a job that was cancelled after the task started (or failed after it ran) is recorded under
 *       the job's entry with reason {@code cancelled_but_billed} or {@code failed_but_billed};</li>
 *   <li>a task no job holds, older than {@code orphanAfter} (longer than the minute a new submission looks back)
 *       and with no job still in doubt whose reconciliation window covers it (however long the gateway was down),
 *       is recorded under {@code orphan_<task id>} with reason {@code orphan_task}, for the tenant of the job that
 *       gave up on a submission with the same model and prompt when there is exactly one, else for tenant
 *       {@value #UNATTRIBUTED}.</li>
 * </ul>
 * Recording is idempotent per entry, so rounds may repeat and several instances may run them. Every recorded amount
 * counts against the budgets and shows in {@code /v1/cost/summary}.
 */
public final class BillingReconciler implements SmartLifecycle {

    /** The tenant an orphan charge is booked to when no job can be named. */
    public static final String UNATTRIBUTED = "_unattributed";
    static final Duration LOOKBACK = Duration.ofHours(24);

    private static final Logger log = LoggerFactory.getLogger(BillingReconciler.class);

    private final List<BillingRecords> providers;
    private final JobStore jobs;
    private final SpendLedger ledger;
    private final Clock clock;
    private final Duration orphanAfter;
    private final PeriodicTask schedule;

    /**
     * @param orphanAfter how old an unbound billed task must be before it is an orphan; longer than the minute a
     *     new submission's reconciliation looks back (jobs already in doubt are checked in the job store)
     */
    public BillingReconciler(List<BillingRecords> providers, JobStore jobs, SpendLedger ledger, Clock clock,
            Duration interval, Duration orphanAfter) {
        this.providers = List.copyOf(providers);
        this.jobs = jobs;
        this.ledger = ledger;
        this.clock = clock;
        this.orphanAfter = orphanAfter;
        this.schedule = PeriodicTask.every("billing-reconciler", interval, this::reconcileOnce);
    }

    /** What one round recorded. */
    public record Round(int billedTasks, int orphans, int cancelledOrFailedButBilled, BigDecimal recordedUsd) {}

    /** One comparison of every paid backend's billing with the ledger. */
    public Round reconcileOnce() {
        Instant now = clock.instant();
        int billed = 0;
        int orphans = 0;
        int afterEnd = 0;
        BigDecimal recorded = BigDecimal.ZERO;
        for (BillingRecords provider : providers) {
            List<BilledTask> tasks;
            try {
                tasks = provider.billedTasks(now.minus(LOOKBACK), now.plusSeconds(1));
            } catch (BackendException e) {
                log.info("billing reconciliation: {} records unavailable ({}); next round", provider.id(),
                        e.getMessage());
                continue;
            }
            for (BilledTask task : tasks) {
                billed++;
                Optional<Job> holder = jobs.findByTask(provider.id(), task.taskId());
                if (holder.isPresent()) {
                    Job job = holder.get();
                    if (job.phase() == JobPhase.CANCELLED || job.phase() == JobPhase.FAILED) {
                        String reason = job.phase() == JobPhase.CANCELLED ? "cancelled_but_billed" : "failed_but_billed";
                        recorded = recorded.add(ledger.recordBilled(job.id(), job.tenant(), provider.id(),
                                new BackendTask(job.id(), job.model(), job.spec()), snapshot(task), reason));
                        afterEnd++;
                    }
                    continue;
                }
                if (task.createdAt() == null || task.createdAt().isAfter(now.minus(orphanAfter))
                        || jobs.mayStillBind(provider.id(), task.model(), task.createdAt())) {
                    continue; // a job in doubt, or one submitting now, may still bind it
                }
                String tenant = attribute(provider.id(), task);
                String entry = "orphan_" + task.taskId();
                recorded = recorded.add(ledger.recordBilled(entry, tenant, provider.id(),
                        new BackendTask(entry, task.model(), specOf(tenant, task)), snapshot(task), "orphan_task"));
                orphans++;
            }
        }
        Round round = new Round(billed, orphans, afterEnd, recorded);
        if (orphans + afterEnd > 0) {
            log.info("billing reconciliation: {}", round);
        }
        return round;
    }

    /** The tenant of the one job that gave up on a submission of this model and prompt, else unattributed. */
    private String attribute(String backend, BilledTask task) {
        if (task.prompt() == null) {
            return UNATTRIBUTED;
        }
        List<Job> gaveUp = jobs.unresolvedSubmissions(backend, task.model(), task.prompt());
        return gaveUp.size() == 1 ? gaveUp.getFirst().tenant() : UNATTRIBUTED;
    }

    private static GenerationSpec specOf(String tenant, BilledTask task) {
        return new GenerationSpec(tenant, task.model(), TaskKind.T2V, task.prompt() == null ? "" : task.prompt(), null,
                task.size(), task.seconds(), null, null, task.audio() ? AudioSpec.GENERATED : AudioSpec.NONE, null,
                null);
    }

    private static TaskSnapshot snapshot(BilledTask task) {
        return new TaskSnapshot(task.taskId(), TaskSnapshot.State.SUCCEEDED, 100, null, task.billedSeconds(), null,
                null, null);
    }

    @Override
    public void start() {
        schedule.start();
    }

    @Override
    public void stop() {
        schedule.stop();
    }

    @Override
    public boolean isRunning() {
        return schedule.isRunning();
    }
}
