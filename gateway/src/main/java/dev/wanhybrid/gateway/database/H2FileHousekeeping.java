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
 * <p>What it does, every {@code gateway.store.h2-housekeeping} (default 100 ms; 0 turns it off), on the file store
 * behind the application's {@link DataSource} (nothing for in-memory or remote H2, or another database): it
 * {@code fsync}s the file, so every chunk written so far is on the disk, not only in the OS cache; then it rewrites
 * the live pages of sparse chunks ({@link MVStore#compact}, H2's own compaction, under the store's lock as its
 * background writer takes it, at most {@code gateway.store.h2-compaction-per-round} of them, default 1 MB), so those
 * chunks empty and their space is reused by later chunks. Chunks that hold no
 * live page at all (every row in them deleted or superseded) are not rewritten: H2 frees them when it writes a later
 * version, one retention time after they died. A store that goes quiet right after a retention sweep (the deleted
 * jobs' chunks die with its last commits) would keep them counted as used until the next submit, so once the store has
 * written nothing for a retention time while its chunks are under the target fill rate and compaction finds nothing to
 * rewrite, a round writes one tick to a map of its own ({@value #TICK_MAP}, outside the SQL schema) and frees what
 * that made old enough under the store's lock (H2's own {@code dropUnusedChunks}, as its writer runs it); it ticks
 * once per quiet spell. The file does not shrink while open (H2's chunk mover, {@code compactMoveChunks}, trips an
 * internal assertion when run this way, so it is left to H2's compaction at close); it stops growing once the space
 * freed by retention is reused. Compaction makes dead chunks frequent, and with them a transient state that H2
 * 2.4.240's assertion in {@code RandomAccessStore.shrinkStoreIfPossible} wrongly treats as an error (h2database#4048,
 * relaxed upstream after 2.4.240); the gateway's tests therefore run without assertions in that one class
 * (docs/decisions.md).
 *
 * <p>What it does not do: make the live data small. That is the URL's {@code COMPRESS=TRUE} (pages stored
 * LZF-compressed, a finished job's rows in a half to a third of the space); a file without it is logged as a warning at
 * start.
 *
 * <p>Durability: H2's retention time exists so that space is not reused before the disk has the chunks that
 * superseded it (H2's documentation: the default assumes the disk flushes its buffers within 45 s; a lower value
 * is safe when the buffers are flushed earlier). Because step 1 flushes them at every round, the retention time is
 * lowered to {@code gateway.store.h2-chunk-retention} (default 1 s), which must be at least four rounds: a chunk
 * is overwritten only after the chunk that made it obsolete has been flushed. Commits are still written at once, so
 * {@code kill -9} loses nothing that was committed; a power loss can lose at most the last round's commits (as it
 * could before, when nothing was flushed explicitly), never the file.
 */
@Component
public class H2FileHousekeeping implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(H2FileHousekeeping.class);
    /** Compact chunks while the live share of the file or of the chunks is below this, in percent. */
    static final int TARGET_FILL_RATE = 90;
    /**
     * The default of {@code gateway.store.h2-compaction-per-round} (the property's own default says the same): the
     * live bytes one round may rewrite. H2's compaction rewrites every chunk older than the retention time up to this
     * limit, under the store's lock, so a large limit holds commits back (16 MB gave a submit p99 of 103 ms at 8
     * connections, 1 MB 49 ms, docs/benchmarks/submit.md); rounds come every 100 ms, so 1 MB still rewrites up to
     * 10 MB a second.
     */
    public static final DataSize DEFAULT_COMPACTION_PER_ROUND = DataSize.ofMegabytes(1);
    /** The map that the tick written to free dead chunks goes to. */
    static final String TICK_MAP = "gateway.housekeeping";

    private final MVStore store;
    private final PeriodicTask rounds;
    private final MVMap<String, Long> ticks;
    private final long retentionNanos;
    private final int compactionBytes;
    private long lastVersion = -1;
    private long lastVersionAt;
    private long tickVersion = -1;

    public H2FileHousekeeping(DataSource dataSource,
            @Value("${gateway.store.h2-housekeeping:100ms}") Duration every,
            @Value("${gateway.store.h2-chunk-retention:1s}") Duration retention,
            @Value("${gateway.store.h2-compaction-per-round:1MB}") DataSize compaction) {
        if (compaction.isNegative() || compaction.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("gateway.store.h2-compaction-per-round must be 0 to 2GB: " + compaction);
        }
        this.compactionBytes = (int) compaction.toBytes();
        if (!every.isZero() && retention.compareTo(every.multipliedBy(4)) < 0) {
            throw new IllegalArgumentException("gateway.store.h2-chunk-retention (" + retention
                    + ") must be at least four gateway.store.h2-housekeeping rounds (" + every + ")");
        }
        this.store = every.isZero() ? null : fileStoreOf(dataSource).orElse(null);
        this.retentionNanos = retention.toNanos();
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
            if (compactionBytes > 0 && store.compact(TARGET_FILL_RATE, compactionBytes)) {
                return;
            }
            boolean quiet = now - lastVersionAt >= retentionNanos && version != tickVersion;
            if (quiet && store.getFileStore().getChunksFillRate() < TARGET_FILL_RATE) {
                // A dead chunk may be freed only once a later version exists; with nothing else writing, none comes.
                ticks.put("ticks", ticks.getOrDefault("ticks", 0L) + 1);
                store.commit();
                tickVersion = store.getCurrentVersion();
                store.executeFilestoreOperation(store.getFileStore()::dropUnusedChunks);
            }
        } catch (RuntimeException e) {
            if (!store.isClosed()) {
                throw e;
            }
        }
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
            rounds.stop();
        }
    }
}
