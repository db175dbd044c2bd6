package dev.wanhybrid.gateway.database;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVStore;

/**
 * Group commit for an embedded H2 file: a committed transaction waits until one shared MVStore chunk that holds it
 * has been written to the file, and every transaction that committed meanwhile waits for the same write.
 *
 * <p>Why: with {@code WRITE_DELAY=0} H2 writes a chunk of its own at every commit (about 32 KB for a job's
 * transition: a leaf and its parents in each map the commit touches), under the store's lock, so concurrent
 * commits queue on that lock and the file fills with chunks faster than compaction empties them
 * (docs/benchmarks/store-footprint.md). With H2's default write delay the chunks are shared, but a commit is
 * acknowledged before it is written, so {@code kill -9} loses up to that delay of acknowledged work.
 *
* <p>How: the store's own write delay is set to {@link #BACKGROUND_WRITE_DELAY_MS}, so H2 no longer writes at each
 * commit; {@link #awaitWritten()}, called by {@link GroupCommitDataSource} after a commit that changed data, takes a
 * ticket and waits. One daemon thread writes: once a ticket is waiting and at least {@code interval} has passed
 * since its previous write (so that commits arriving meanwhile join), it reads the last ticket handed out, writes
 * the store's changes ({@link MVStore#commit()}, which writes a chunk and returns once it is written), waits for any
 * chunk H2's background writer has under way, and then releases every ticket up to the one it read. A ticket is
 * handed out only after its transaction committed in memory, and the chunk is built after the writer read the
 * ticket, so the chunk holds that transaction. The writing is on a thread of its own so that an interrupted caller
 * (H2 swallows interrupts while it waits for its write executors) can never make a write look done; the thread
 * ends when the store closes.
 *
 * <p>Durability: a commit returns to its caller only after the chunk holding it has been written to the file (the
 * operating system's cache), as with {@code WRITE_DELAY=0}, so {@code kill -9} loses nothing acknowledged; a power
 * loss can lose what the disk has not flushed, which {@link H2FileHousekeeping} bounds by an {@code fsync} every
 * round, as before. If a write fails (a closed or broken store) its waiters get an exception: their commits are not
 * known to be durable.
 *
 * <p>Thread-safe.
 */
public final class H2GroupCommit {

    /**
     * H2's own write delay while group commit is on: its background writer then writes only what did not come
     * through {@link GroupCommitDataSource} (nothing, in the gateway) and runs H2's housekeeping every third of it.
     * H2's default.
     */
    static final int BACKGROUND_WRITE_DELAY_MS = 500;
    /** How often an idle writer looks whether the store has closed, so that its thread ends. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MVStore store;
    private final long intervalNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition written = lock.newCondition();
    private long ticketsIssued;
    private long ticketsWritten;
    private long ticketsFailed;
    private RuntimeException failure;
    private boolean ended;
    private long writes;

    /**
     * Starts the writer thread.
     *
     * @param store the MVStore of an open embedded H2 file
     * @param interval the least time between two shared writes; commits that arrive meanwhile share the next one.
     *     Zero writes as soon as the previous write is done (commits still share a write when they arrive during
     *     one).
     */
    public H2GroupCommit(MVStore store, Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("gateway.store.h2-group-commit must not be negative: " + interval);
        }
        this.store = store;
        this.intervalNanos = interval.toNanos();
        takeOverWrites();
        Thread.ofPlatform().daemon().name("h2-group-commit").start(this::run);
    }

    /**
     * Returns once everything committed before the call is written to the file.
     *
     * @throws IllegalStateException if the store could not write it (closed, failed); the commit is then not known
     *     to be durable
     */
    public void awaitWritten() {
        lock.lock();
        try {
            long ticket = ++ticketsIssued;
            work.signal();
            while (ticketsWritten < ticket) {
                if (ended) {
                    throw new IllegalStateException("the H2 store is closed; the commit was not written");
                }
                if (ticketsFailed >= ticket) {
                    throw new IllegalStateException("the H2 store did not write the commit: " + failure.getMessage(),
                            failure);
                }
                written.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the store's write delay to {@link #BACKGROUND_WRITE_DELAY_MS} if it is 0. Needed again after H2 opens a
     * session: it applies the URL's {@code WRITE_DELAY=0} to the whole database at every new connection. Until then
     * H2 writes at every commit itself, which is as durable, only not shared.
     */
    void takeOverWrites() {
        if (store.getAutoCommitDelay() == 0 && !store.isClosed()) {
            store.setAutoCommitDelay(BACKGROUND_WRITE_DELAY_MS);
        }
    }

    /** How many shared writes have been made. */
    public long writes() {
        lock.lock();
        try {
            return writes;
        } finally {
            lock.unlock();
        }
    }

    /** How many commits have been acknowledged as written. */
    public long commitsWritten() {
        lock.lock();
        try {
            return ticketsWritten;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long lastWrite = System.nanoTime() - intervalNanos;
        while (true) {
            long upTo;
            lock.lock();
            try {
                while (ticketsIssued == Math.max(ticketsWritten, ticketsFailed)) {
                    if (store.isClosed()) {
                        ended = true;
                        written.signalAll();
                        return;
                    }
                    work.awaitNanos(IDLE_CHECK_NANOS);
                }
            } catch (InterruptedException e) {
                ended = true;
                written.signalAll();
                return;
            } finally {
                lock.unlock();
            }
            long wait = lastWrite + intervalNanos - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            lock.lock();
            try {
                upTo = ticketsIssued;
            } finally {
                lock.unlock();
            }
            RuntimeException failed = null;
            try {
                write();
            } catch (RuntimeException e) {
                failed = e;
            } catch (Error e) {
                // Waiters must hear of it rather than wait for ever; the next round tries again.
                failed = new IllegalStateException(e.toString(), e);
            }
            lastWrite = System.nanoTime();
            lock.lock();
            try {
                if (failed == null) {
                    ticketsWritten = upTo;
                    writes++;
                } else {
                    ticketsFailed = upTo;
                    failure = failed;
                }
                written.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void write() {
        if (store.isClosed()) {
            throw new IllegalStateException("the H2 store is closed");
        }
        store.commit();
        // MVStore.commit writes nothing when H2's background writer has already taken the changes into a chunk it
        // writes asynchronously; this waits for that chunk (its executors run in order).
        store.executeFilestoreOperation(() -> {});
        if (store.isClosed()) {
            throw new IllegalStateException("the H2 store closed while writing");
        }
    }
}
