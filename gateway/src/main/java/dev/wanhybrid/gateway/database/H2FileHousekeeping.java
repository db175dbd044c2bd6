package dev.wanhybrid.gateway.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * Keeps the embedded H2 file small while every commit is written at once ({@code WRITE_DELAY=0}, so a job
 * acknowledged to a client survives {@code kill -9}).
 *
 * <p>Why it is needed: H2's MVStore writes a new chunk at every commit and never overwrites a chunk in place. A
 * chunk whose pages are all superseded can be reused only after the store's retention time (45 s by default), and a
 * chunk that keeps a few live pages (the last version of a finished job's rows) is reclaimed only when those pages
 * are rewritten elsewhere. H2 does that rewriting in its background writer, which {@code WRITE_DELAY=0} turns off;
 * without it the file grew by about 167 KB per finished job (docs/benchmarks/store-footprint.md).
 *
 * <p>What it does, every {@code gateway.store.h2-housekeeping} (default 50 ms; 0 turns it off), on the file store
 * behind the application's {@link DataSource} (nothing for in-memory or remote H2, or another database):
 * <ol>
 *   <li>it {@code fsync}s the file, so every chunk written so far is on the disk, not only in the OS cache;</li>
 *   <li>it rewrites the live pages of sparse chunks ({@link MVStore#compact}, H2's own compaction, under the store's
 *   lock as its background writer takes it, at most {@code gateway.store.h2-compaction-per-round} of them, default
 *   512 KB), so those chunks empty and their space is reused by later chunks;</li>
 *   <li>while less than {@value #MOVE_BELOW_FILL_RATE}% of the file up to its last chunk is allocated and its holes
 *   add up to 16 MB or more ({@link #MOVE_ABOVE_FREE_BYTES}), it moves chunks into the holes before them
 *   ({@link RandomAccessStore#compactMoveChunks}, H2's own chunk mover, as its background writer runs it on a
 *   fragmented file, at most {@code gateway.store.h2-move-per-round} a round, default 4 MB), and H2 truncates the
 *   file behind the last chunk. A burst of commits leaves holes (its dead
 *   chunks are freed one retention time later); without the moves the file keeps the size of its largest burst
 *   for as long as one live chunk sits at its end.</li>
 * </ol>
 * Compaction and moves make chunks and holes of their own, so on a file nobody writes they can keep each other going:
 * a round rewrites and moves only while the file keeps getting smaller or the application writes
 * ({@link HousekeepingBudget}), and otherwise rests until it writes again.
 * Chunks that hold no live page at all (every row in them deleted or superseded) are not rewritten: H2 frees them
 * when it writes a later version, once they are older than the retention time. A store that goes quiet right after a
 * retention sweep (the deleted jobs' chunks die with its last commits) would keep them counted as used until the next
 * submit, so once the store has written nothing for a retention time and compaction finds nothing to rewrite, a
 * round writes one tick to a map of its own ({@value #TICK_MAP}, outside
 * the SQL schema) and frees what that made old enough under the store's lock (H2's own {@code dropUnusedChunks}, as
 * its writer runs it); it ticks once per quiet spell. Compaction and moves make dead chunks frequent, and with them
 * a transient state that H2 2.4.240's assertions in {@code RandomAccessStore} wrongly treat as an error
 * (h2database#4048, relaxed upstream after 2.4.240); the gateway's tests therefore run without assertions in that
 * one class (docs/decisions.md).
 *
 * <p>What it does not do: make the live data small. That is the URL's {@code COMPRESS=TRUE} (pages stored
 * LZF-compressed, a finished job's rows in a half to a third of the space); a file without it is logged as a warning at
 * start.
 *
 * <p>Durability: commits are written at once, so {@code kill -9} loses nothing that was committed (the OS has every
 * write). Against power loss H2 relies on its retention time: a chunk younger than it is not overwritten even when
 * dead (H2's documentation assumes the disk flushes its buffers within the default 45 s; a lower value is safe when
 * they are flushed earlier). Step 1 flushes them every round, so the retention time is lowered to
 * {@code gateway.store.h2-chunk-retention} (default 250 ms), which must be at least four rounds. H2 2.4.240 counts the
 * retention time from a chunk's creation, not from its death, so an older chunk may be reused two versions after it
 * died, before the round that flushes the chunk superseding it; that is H2's own behaviour with any retention time,
 * the shipped 45 s included. The chunk mover syncs the file before it overwrites a moved chunk's old place.
 */
@Component
public class H2FileHousekeeping implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(H2FileHousekeeping.class);
    /** Compact chunks while the live share of the file or of the chunks is below this, in percent. */
    static final int TARGET_FILL_RATE = 90;
    /**
     * Move chunks towards the file's start while the allocated share of the file is below this, in percent. Bursts of
     * commits leave holes (the chunks of one retention time, freed after it); without moving, the file keeps the size
     * of its largest burst, and 100,000 finished jobs written at full speed left a 176 MB file holding 83 MB of chunks
     * (docs/benchmarks/store-footprint.md).
     */
    static final int MOVE_BELOW_FILL_RATE = 80;
    /** Move chunks only while the file's holes add up to at least this (see {@link #fragmented()}). */
    static final long MOVE_ABOVE_FREE_BYTES = 16L << 20;
    /** The default of {@code gateway.store.h2-housekeeping}: how often a round runs. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(50);
    /** The default of {@code gateway.store.h2-chunk-retention}: at least four rounds. */
    public static final Duration DEFAULT_CHUNK_RETENTION = Duration.ofMillis(250);
    /**
     * The default of {@code gateway.store.h2-compaction-per-round} (the property's own default says the same): the
     * live bytes one round may rewrite. H2's compaction rewrites every chunk older than the retention time up to this
     * limit, under the store's lock, so a large limit holds commits back (16 MB gave a submit p99 of 103 ms at 8
     * connections, 1 MB 49 ms, docs/benchmarks/submit.md). Rounds come every 50 ms, so 512 KB still rewrites up to
     * 10 MB a second, as 1 MB did at 100 ms: with 1 MB every 50 ms a fifth of the H2 submits were lost, with 512 KB
     * they came back, and 100,000 finished jobs at full speed kept the file at 125.4 MB (131.2 MB with 1 MB).
     */
    public static final DataSize DEFAULT_COMPACTION_PER_ROUND = DataSize.ofKilobytes(512);
    /**
     * The default of {@code gateway.store.h2-move-per-round} (the property's own default says the same): the bytes of
     * chunks one round may move towards the file's start while the file is fragmented, under the store's lock.
     */
    public static final DataSize DEFAULT_MOVE_PER_ROUND = DataSize.ofMegabytes(4);
    /** The map that the tick written to free dead chunks goes to. */
    static final String TICK_MAP = "gateway.housekeeping";

    private final MVStore store;
    private final RandomAccessStore files;
    private final PeriodicTask rounds;
    private final MVMap<String, Long> ticks;
    private final long retentionNanos;
    private final int compactionBytes;
    private final long moveBytes;
    private long lastVersion = -1;
    private long lastVersionAt;
    private long tickVersion = -1;
    /** The store's version when the last round ended: later versions are the application's commits. */
    private long versionAfterRound = -1;
    /** Lets the rounds rest once their own rewriting and moving stops shrinking a file nobody writes. */
    private final HousekeepingBudget budget;

    public H2FileHousekeeping(DataSource dataSource,
            @Value("${gateway.store.h2-housekeeping:50ms}") Duration every,
            @Value("${gateway.store.h2-chunk-retention:250ms}") Duration retention,
            @Value("${gateway.store.h2-compaction-per-round:512KB}") DataSize compaction,
            @Value("${gateway.store.h2-move-per-round:4MB}") DataSize moves) {
        if (compaction.isNegative() || compaction.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("gateway.store.h2-compaction-per-round must be 0 to 2GB: " + compaction);
        }
        if (moves.isNegative()) {
            throw new IllegalArgumentException("gateway.store.h2-move-per-round must not be negative: " + moves);
        }
        this.compactionBytes = (int) compaction.toBytes();
        this.moveBytes = moves.toBytes();
        if (!every.isZero() && retention.compareTo(every.multipliedBy(4)) < 0) {
            throw new IllegalArgumentException("gateway.store.h2-chunk-retention (" + retention
                    + ") must be at least four gateway.store.h2-housekeeping rounds (" + every + ")");
        }
        this.store = every.isZero() ? null : fileStoreOf(dataSource).orElse(null);
        this.retentionNanos = retention.toNanos();
        this.files = store == null ? null : (RandomAccessStore) store.getFileStore();
        this.budget = new HousekeepingBudget(files == null ? 0 : files.size());
        if (store == null) {
            rounds = null;
            ticks = null;
            return;
        }
        if (!compressed(dataSource)) {
            log.warn("The H2 file {} is not compressed: add ;COMPRESS=TRUE to spring.datasource.url, as the shipped "
                    + "URL has it, or a finished job takes two to three times the space", store.getFileStore().getFileName());
        }
        ticks = store.openMap(TICK_MAP);
        store.setRetentionTime(Math.toIntExact(retention.toMillis()));
        rounds = PeriodicTask.every("h2-housekeeping", every, this::round);
        rounds.start();
        log.info("H2 file housekeeping every {}, chunk retention {}", every, retention);
    }

    /** The MVStore of an embedded H2 file database, or empty for anything else. */
    static Optional<MVStore> fileStoreOf(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isWrapperFor(JdbcConnection.class)) {
                return Optional.empty();
            }
            Session session = connection.unwrap(JdbcConnection.class).getSession();
            if (!(session instanceof SessionLocal local) || !local.getDatabase().isPersistent()
                    || local.getDatabase().getStore() == null) {
                return Optional.empty();
            }
            MVStore store = local.getDatabase().getStore().getMvStore();
            FileStore<?> files = store.getFileStore();
            return files instanceof RandomAccessStore && !store.isReadOnly() ? Optional.of(store)
                    : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the database to find its store", e);
        }
    }

    /** Whether the embedded database behind the data source stores its pages compressed (the URL's COMPRESS). */
    private static boolean compressed(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local
                    && local.getDatabase().getSettings().compressData;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the database to read its settings", e);
        }
    }

    /** One round: flush, rewrite sparse chunks; on a quiet store, free the chunks that died in its last commits. */
    void round() {
        if (store.isClosed()) {
            return;
        }
        try {
            store.sync();
            long version = store.getCurrentVersion();
            long now = System.nanoTime();
            if (version != lastVersion) {
                lastVersion = version;
                lastVersionAt = now;
            }
            long applicationCommits = versionAfterRound < 0 ? 0 : Math.max(0, version - versionAfterRound);
            boolean rewrote = false;
            if (budget.mayWork(applicationCommits, files.size())) {
                rewrote = compactionBytes > 0 && store.compact(TARGET_FILL_RATE, compactionBytes);
                // Move live chunks from the file's end into the holes before it, so the file shrinks (H2's own
                // background writer does the same when its file is fragmented); H2 takes the store's lock and syncs
                // around it.
                boolean moved = moveBytes > 0 && fragmented();
                if (moved) {
                    files.compactMoveChunks(MOVE_BELOW_FILL_RATE, moveBytes, store);
                }
                budget.worked((rewrote ? compactionBytes : 0) + (moved ? moveBytes : 0), files.size());
            }
            if (rewrote) {
                versionAfterRound = store.getCurrentVersion();
                return;
            }
            boolean quiet = now - lastVersionAt >= retentionNanos && version != tickVersion;
            if (quiet) {
                // A dead chunk may be freed only once a later version exists; with nothing else writing, none comes.
                // Not gated on the chunks' fill rate any more (stop 31): with that gate, a quiet file whose end had
                // died once kept its full size for good in a loaded CI run (H2FileHousekeepingTest), as if the fill
                // rate had not yet counted the last commit's removals, which H2 may account only at a later version.
                // One small commit per quiet spell costs little either way.
                ticks.put("ticks", ticks.getOrDefault("ticks", 0L) + 1);
                store.commit();
                tickVersion = store.getCurrentVersion();
                store.executeFilestoreOperation(store.getFileStore()::dropUnusedChunks);
            }
            versionAfterRound = store.getCurrentVersion();
        } catch (RuntimeException e) {
            if (!store.isClosed()) {
                throw e;
            }
        }
    }

    /**
     * Whether the file's holes are worth a move: less than {@value #MOVE_BELOW_FILL_RATE}% of it allocated (H2's fill
     * rate, relative to its last chunk) and at least {@link #MOVE_ABOVE_FREE_BYTES} free. A move holds the store's lock
     * through three syncs, so small files and small holes are left to be reused by later chunks.
     */
    private boolean fragmented() {
        int fill = files.getFillRate();
        // H2 reports 0 for a file with no hole before its last chunk: nothing to move, and a call would still take
        // the store's lock every round.
        return fill > 0 && fill < MOVE_BELOW_FILL_RATE
                && files.size() / 100 * (100 - fill) >= MOVE_ABOVE_FREE_BYTES;
    }

    /** The file's size on disk now, in bytes. */
    public long fileSize() {
        return store == null ? 0 : store.getFileStore().size();
    }

    /** The store this looks after, or null when there is none (not an embedded H2 file, or switched off). */
    MVStore store() {
        return store;
    }

    @Override
    public void destroy() {
        if (rounds != null) {
            // Not interrupted: an interrupt during the round's sync or chunk move closes H2's file channel, and with
            // it the database, before the gateway's clean shutdown.
            rounds.stopAfterRound();
        }
    }
}
