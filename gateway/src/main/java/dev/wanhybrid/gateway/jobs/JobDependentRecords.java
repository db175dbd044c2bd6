package dev.wanhybrid.gateway.jobs;

import java.util.List;

/**
 * Records another feature keeps per job (webhook deliveries), deleted by {@link JobRetention} with the jobs they
 * belong to. Retention deletes them before the jobs: a sweep cut short leaves jobs whose records are gone, which the
 * next sweep deletes, never records without a job. The spend ledger is deliberately not one of these: its entries
 * are the money's history and outlive the jobs.
 */
public interface JobDependentRecords {

    /**
     * Deletes this feature's records of the given jobs, all finished and expired.
     *
     * @return how many records were deleted
     */
    int deleteForJobs(List<String> jobIds);
}
