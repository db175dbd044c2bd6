package dev.wanhybrid.gateway.database;

/**
 * When {@link H2FileHousekeeping}'s own rewriting and moving has stopped paying off on a store the application no
 * longer writes, and so should rest until the application writes again.
 *
 * <p>Why: compaction rewrites the live pages of sparse chunks and moves chunks into holes, and both make new chunks
 * and new holes of their own. After a burst of submits, on a store that then went quiet, the two could feed each
 * other: measured on the gateway jar after 30 s of submits at 8 connections, the file went from 29 to 48 MB and back
 * every few seconds and the idle gateway used half a CPU for minutes (docs/benchmarks/store-footprint.md). A round
 * may work while the file keeps shrinking (each new low of at least {@value #PROGRESS_PERCENT} % lets it go on) or
 * while the application writes ({@value #WAKE_AFTER_COMMITS} commits of its own since the budget was last renewed
 * renew it); otherwise, once it has rewritten or moved as much as the file's size (at least
 * {@value #MIN_ALLOWANCE_BYTES} bytes) without a new low, it rests.
 *
 * <p>A shrink that is real never runs out: after retention deletes jobs, compaction rewrites at most the live data
 * (less than the file) before the moves start lowering the file's size, and each lower size renews the allowance.
 */
final class HousekeepingBudget {

    /** Application commits that renew the budget: a real write load, not a heartbeat now and then. */
    static final long WAKE_AFTER_COMMITS = 100;
    /** A file this much smaller than its lowest size so far is progress. */
    static final int PROGRESS_PERCENT = 1;
    /** The least rewriting and moving allowed without progress, so small files are not starved. */
    static final long MIN_ALLOWANCE_BYTES = 16L << 20;

    private long lowestFile;
    private long workSinceProgress;
    private long commitsSinceRenewal;
    private boolean resting;

    HousekeepingBudget(long fileSize) {
        lowestFile = fileSize;
    }

    /**
     * At the start of a round: the commits the application made since the last round and the file's size now.
     *
     * @return whether the round may rewrite and move
     */
    boolean mayWork(long applicationCommits, long fileSize) {
        commitsSinceRenewal += applicationCommits;
        if (commitsSinceRenewal >= WAKE_AFTER_COMMITS) {
            commitsSinceRenewal = 0;
            workSinceProgress = 0;
            resting = false;
            lowestFile = fileSize;
        }
        return !resting;
    }

    /** After a round that worked: the bytes it may have rewritten or moved, and the file's size after it. */
    void worked(long bytes, long fileSize) {
        if (fileSize <= lowestFile - lowestFile / 100 * PROGRESS_PERCENT) {
            lowestFile = fileSize;
            workSinceProgress = 0;
            return;
        }
        workSinceProgress += bytes;
        if (workSinceProgress > Math.max(lowestFile, MIN_ALLOWANCE_BYTES)) {
            resting = true;
        }
    }

    /** Whether rounds rest until the application writes again. */
    boolean resting() {
        return resting;
    }
}
