package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.schedule.PeriodicTask;
import dev.wanhybrid.gateway.storage.ResultStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Deletes what has expired, so the store stays small: a job that finished longer ago than
 * {@code gateway.api.video-retention} (its {@code expires_at}, default 7 days) loses its result object, then its row
 * and its events. Runs every {@code gateway.jobs.retention-sweep} (default 10 min; 0 turns it off), in batches. A
 * result that cannot be deleted keeps its job for the next sweep, so nothing is orphaned. Records other features keep
 * per job ({@link JobDependentRecords}: webhook deliveries) are deleted just before their jobs. The spend ledger's
 * entries are kept: they are the money's history, and cost summaries and budget periods are computed from them.
 */
@Component
public class JobRetention implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(JobRetention.class);
    static final int BATCH = 500;

    private final JobStore store;
    private final ObjectProvider<ResultStore> results;
    private final ObjectProvider<JobDependentRecords> dependents;
    private final Clock clock;
    private final Duration retention;
    private final PeriodicTask sweeps;

    public JobRetention(JobStore store, ObjectProvider<ResultStore> results,
            ObjectProvider<JobDependentRecords> dependents,
            Clock clock, @Value("${gateway.api.video-retention:7d}") Duration retention,
            @Value("${gateway.jobs.retention-sweep:10m}") Duration every) {
        this.store = store;
        this.results = results;
        this.dependents = dependents;
        this.clock = clock;
        this.retention = retention;
        this.sweeps = PeriodicTask.every("job-retention", every, this::sweep);
        sweeps.start();
    }

    /**
     * Deletes every job that finished before now minus the retention, with its result and events.
     *
     * @return how many jobs were deleted
     */
    public int sweep() {
        Instant cutoff = clock.instant().minus(retention);
        ResultStore resultStore = results.getIfAvailable();
        int total = 0;
        while (true) {
            List<JobStore.Expired> batch = store.finishedBefore(cutoff, BATCH);
            List<String> deletable = new ArrayList<>();
            for (JobStore.Expired expired : batch) {
                if (expired.resultKey() == null || resultStore == null) {
                    deletable.add(expired.id());
                    continue;
                }
                try {
                    resultStore.delete(expired.resultKey());
                    deletable.add(expired.id());
                } catch (IOException | RuntimeException e) {
                    log.warn("result {} of job {} could not be deleted; the job is kept for the next sweep",
                            expired.resultKey(), expired.id(), e);
                }
            }
            if (!deletable.isEmpty()) {
                dependents.orderedStream().forEach(records -> records.deleteForJobs(deletable));
            }
            total += store.deleteFinished(deletable);
            if (batch.size() < BATCH || deletable.isEmpty()) {
                break;
            }
        }
        if (total > 0) {
            log.info("retention deleted {} jobs that finished before {}", total, cutoff);
        }
        return total;
    }

    @Override
    public void destroy() {
        sweeps.stop();
    }
}
