package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.budget.NewReservation;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.database.Databases;
import dev.wanhybrid.gateway.database.OneRoundTrip;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.IntConsumer;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for new submissions whose reservation no budget cap applies to: the submissions waiting at one moment
 * are written in one transaction, their reservations, jobs and first events each in one multi-row statement, and
 * every submission returns only once that transaction has committed. Durability and atomicity are those of a
 * submission written alone (each one's reservation, job and first event are in the same commit); what is shared is
 * the commit, its disk flush and the round trips, which were most of a submission's cost on PostgreSQL
 * (docs/benchmarks/submit.md). On PostgreSQL the group's statements go in one round trip as one transaction
 * ({@link OneRoundTrip}): the inserts and the commit no longer wait for a reply each.
 *
 * <p>No thread of its own: a submitting thread that finds a writer's place free ({@code writers} at most at once)
 * writes the submissions waiting at that moment, its own among them, oldest first, at most {@code maxGroup} at a
 * time; the others wait until theirs is written. A writer that finishes wakes the oldest submission still waiting,
 * which then writes. When a group's transaction fails, each of its submissions is written again alone, so one bad
 * submission fails only itself, and nothing of the failed group was kept. (A commit whose outcome is unknown, the
 * connection lost during {@code COMMIT}, is the one exception, as it is for a submission written alone: written again,
 * a submission the lost commit did store fails on its own primary key, and the caller gets an error for a job that
 * exists; it is still stored once, with one reservation.)
 */
final class SubmitGroups {

    /** One submission waiting to be written. */
    private static final class Member {
        final Job job;
        final NewReservation reservation;
        final Thread thread = Thread.currentThread();
        RuntimeException failure;
        volatile boolean written;

        Member(Job job, NewReservation reservation) {
            this.job = job;
            this.reservation = reservation;
        }

        void finish(RuntimeException failed) {
            failure = failed;
            written = true;
            LockSupport.unpark(thread);
        }
    }

    private final TransactionTemplate tx;
    private final SpendLedger ledger;
    private final JobStore store;
    private final int maxGroup;
    private final Semaphore writers;
    private final ConcurrentLinkedQueue<Member> waiting = new ConcurrentLinkedQueue<>();
    private final IntConsumer committed;
    /** {@link #oneRoundTrip()}; {@code null} until the first group. */
    private volatile Optional<JdbcTemplate> oneRoundTrip;

    /**
     * @param maxGroup most submissions in one transaction ({@code gateway.submit.max-group}, at least 2)
     * @param writers most groups being written at once ({@code gateway.submit.group-writers}, at least 1); each holds
     *     one of the store's connections while it writes
     * @param committed told the size of every commit made (the metric {@code gateway.submit.group.size}; a
     *     submission written again alone after its group failed is a commit of one)
     */
    SubmitGroups(TransactionTemplate tx, SpendLedger ledger, JobStore store, int maxGroup, int writers,
            IntConsumer committed) {
        if (maxGroup < 2 || writers < 1) {
            throw new IllegalArgumentException("a group holds at least 2 submissions and has at least 1 writer, was "
                    + maxGroup + " and " + writers);
        }
        this.tx = tx;
        this.ledger = ledger;
        this.store = store;
        this.maxGroup = maxGroup;
        this.writers = new Semaphore(writers);
        this.committed = committed;
    }

    /**
     * What {@code gateway.submit.max-group} means for this store: a number as it is, {@code auto} (the default) 64
     * on PostgreSQL and 1 (no groups) on the embedded H2 store. H2 runs its inserts in the thread that writes them,
     * so one writer at a time would put every submission's insert work on one core, and its own group commit
     * ({@link dev.wanhybrid.gateway.database.H2GroupCommit}) already shares the disk write between concurrent
     * commits: measured, groups lowered H2's submits by a third (docs/benchmarks/submit.md).
     */
    static int maxGroup(String setting, DataSource dataSource) throws SQLException {
        if ("auto".equalsIgnoreCase(setting.strip())) {
            return Databases.isPostgres(dataSource) ? GenerationService.DEFAULT_MAX_GROUP : 1;
        }
        try {
            return Integer.parseInt(setting.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "gateway.submit.max-group must be a number or auto, was '" + setting + "'", e);
        }
    }

    /**
     * Writes the job, its first event and its reservation, and returns once they are committed.
     *
     * @throws RuntimeException what writing this submission threw; nothing of it is stored then
     */
    void write(Job job, NewReservation reservation) {
        Member me = new Member(job, reservation);
        waiting.add(me);
        boolean interrupted = false;
        while (!me.written) {
            if (writers.tryAcquire()) {
                boolean wrote;
                try {
                    wrote = writeWaiting();
                } finally {
                    writers.release();
                }
                Member oldest = waiting.peek();
                if (oldest != null) {
                    LockSupport.unpark(oldest.thread);
                }
                if (wrote) {
                    continue;
                }
            }
            // Another writer has this submission, or will wake the oldest waiting one when it is done.
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (me.failure != null) {
            throw me.failure;
        }
    }

    /** Submissions waiting for a writer now. */
    int waiting() {
        return waiting.size();
    }

    /** Writes the oldest waiting submissions as one group; false when none was waiting. */
    private boolean writeWaiting() {
        List<Member> group = new ArrayList<>(Math.min(maxGroup, 16));
        for (Member next; group.size() < maxGroup && (next = waiting.poll()) != null; ) {
            group.add(next);
        }
        if (group.isEmpty()) {
            return false;
        }
        try {
            commit(group);
        } catch (RuntimeException | Error e) {
            if (group.size() == 1) {
                group.get(0).finish(asRuntime(e));
                return true;
            }
            for (Member m : group) {
                try {
                    commit(List.of(m));
                } catch (RuntimeException | Error alone) {
                    m.finish(asRuntime(alone));
                    continue;
                }
                m.finish(null);
                committed.accept(1);
            }
            return true;
        }
        // Only a failed commit is written again: what follows it must not send a committed group back.
        group.forEach(m -> m.finish(null));
        committed.accept(group.size());
        return true;
    }

    private void commit(List<Member> group) {
        List<NewReservation> reservations = new ArrayList<>(group.size());
        List<Job> jobs = new ArrayList<>(group.size());
        for (Member m : group) {
            reservations.add(m.reservation);
            jobs.add(m.job);
        }
        JdbcTemplate oneTrip = oneRoundTrip();
        if (oneTrip != null && !TransactionSynchronizationManager.isActualTransactionActive()) {
            OneRoundTrip writes = new OneRoundTrip();
            ledger.reserveAllNew(reservations, writes);
            store.createAll(jobs, writes);
            writes.commit(oneTrip);
            return;
        }
        tx.executeWithoutResult(status -> {
            ledger.reserveAllNew(reservations);
            store.createAll(jobs);
        });
    }

    /**
     * Where a group is sent in one round trip ({@link OneRoundTrip}): the store's database when it is PostgreSQL,
     * else {@code null} (a transaction of the transaction manager's, one statement at a time). Known at the first
     * group, from the transaction manager's data source.
     */
    private JdbcTemplate oneRoundTrip() {
        Optional<JdbcTemplate> known = oneRoundTrip;
        if (known == null) {
            DataSource dataSource = tx.getTransactionManager() instanceof DataSourceTransactionManager manager
                    ? manager.getDataSource() : null;
            try {
                known = dataSource != null && Databases.isPostgres(dataSource)
                        ? Optional.of(new JdbcTemplate(dataSource)) : Optional.empty();
            } catch (SQLException e) {
                throw new IllegalStateException("could not tell which database the store is", e);
            }
            oneRoundTrip = known;
        }
        return known.orElse(null);
    }

    private static RuntimeException asRuntime(Throwable e) {
        return e instanceof RuntimeException r ? r : new IllegalStateException("writing the submission failed", e);
    }
}
