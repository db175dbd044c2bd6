package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.tracking.RatePacer;
import dev.wanhybrid.cloud.tracking.TaskSlots;
import dev.wanhybrid.gateway.backend.OpenTasks;
import dev.wanhybrid.gateway.limits.StoreFallbackWarning;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The DashScope accounts' limits kept in the PostgreSQL that every replica shares (migration V52): the query pace
 * and each model's create pace as Bucket4j buckets in {@code cloud_rate_buckets} ({@link SharedRatePacer}), the
 * task slots as rows of {@code cloud_task_slots} ({@link SharedTaskSlots}). The bucket table is unlogged (migration
 * 53, {@code limits.UnloggedRateBuckets}): a pace's transaction does not wait for the disk, and after a crash of the
 * database server every pace starts full; the slots stay logged.
 *
 * <p>One background task ({@code cloud-limits-sweep}, every {@code gateway.cloud.shared-limits.sweep-interval})
 * deletes the slots that no open job holds any more and the rows of buckets that have long been full again. A pace
 * bucket is keyed by account and rate, so a changed rate starts a fresh bucket. Bucket4j computes refills with each
 * instance's clock, so replicas need synchronized clocks (NTP), as the job leases already do.
 */
public final class SharedCloudLimits implements CloudLimits, DisposableBean {

    /** The tables of migration V52. */
    public static final String BUCKETS = "cloud_rate_buckets";
    public static final String SLOTS = "cloud_task_slots";
    /** How long a full bucket's row is kept after its last write before it may be deleted. */
    static final Duration KEEP_FULL = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(SharedCloudLimits.class);

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Supplier<OpenTasks> openTasks;
    private final Duration sweepGrace;
    private final StoreFallbackWarning warning = new StoreFallbackWarning(log);
    private final List<SharedTaskSlots> slots = new CopyOnWriteArrayList<>();
    private final PeriodicTask sweeping;

    /**
     * @param openTasks the job store's view of open jobs, asked at each sweep ({@code null}: no job store, no sweep
     *     of slots)
     */
    public SharedCloudLimits(DataSource dataSource, Clock clock, Supplier<OpenTasks> openTasks,
            CloudLimitsProperties properties) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(BUCKETS)
                .idColumn("id")
                .stateColumn("state")
                .expiresAtColumn("expires_at")
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL))
                .build();
        this.jdbc = JdbcClient.create(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.clock = clock;
        this.openTasks = openTasks;
        this.sweepGrace = properties.sweepGrace();
        this.sweeping = PeriodicTask.every("cloud-limits-sweep", properties.sweepInterval(), this::sweep);
        sweeping.start();
    }

    @Override
    public RatePacer queries(String backend, double perSecond) {
        return pacer(backend + ":queries:" + perSecond, perSecond);
    }

    @Override
    public RatePacer creates(String backend, String model, double perSecond) {
        return pacer(backend + ":creates:" + model + ":" + perSecond, perSecond);
    }

    /** Capacity one, refilled greedily: the next permit {@code 1/rate} after the last, as in one process. */
    private RatePacer pacer(String key, double perSecond) {
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(1).refillGreedy(1, SharedRatePacer.interval(perSecond))
                        .build())
                .build();
        return new SharedRatePacer(buckets.builder().build(key, () -> configuration), perSecond, warning, key);
    }

    @Override
    public TaskSlots slots(String backend, Map<String, Integer> limitsByModel) {
        SharedTaskSlots account = new SharedTaskSlots(backend, limitsByModel, jdbc, tx, clock, warning);
        slots.add(account);
        return account;
    }

    /**
     * One round of the sweep: the task slots older than the grace period that no open job holds, then the rows of
     * buckets full for {@link #KEEP_FULL}; returns how many slots it deleted. A slot left by a dead replica lingers
     * at most the grace period plus one sweep interval after its job ended.
     */
    int sweep() {
        int removed = 0;
        OpenTasks open = openTasks == null ? null : openTasks.get();
        if (open != null) {
            for (SharedTaskSlots account : slots) {
                removed += account.sweep(open, clock.instant().minus(sweepGrace));
            }
            if (removed > 0) {
                log.info("Deleted {} DashScope task slots that no open job holds (left by a replica that stopped"
                        + " or a release that failed)", removed);
            }
        }
        int batch;
        do {
            batch = buckets.removeExpired(1000);
        } while (batch == 1000);
        return removed;
    }

    /** How many times the shared store failed (and this instance paced on its own or left a slot to the sweep). */
    public long storeFailures() {
        return warning.fallbacks();
    }

    @Override
    public void destroy() {
        sweeping.stop();
    }

    @Override
    public String toString() {
        return "shared by all instances in PostgreSQL (" + BUCKETS + ", " + SLOTS + ")";
    }
}
