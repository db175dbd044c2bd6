package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.tracking.ConcurrencyLimits;
import dev.wanhybrid.cloud.tracking.TaskSlots;
import dev.wanhybrid.gateway.backend.OpenTasks;
import dev.wanhybrid.gateway.limits.StoreFallbackWarning;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One DashScope account's task slots counted in the PostgreSQL that every replica shares, one row of
 * {@code cloud_task_slots} (migration V52) per slot held, so that the account's per-model limit holds for all
 * replicas together.
 *
 * <p>Acquiring is one short transaction that takes a transaction-scoped advisory lock for the (account, model),
 * counts the model's rows and inserts the holder's row if there is room: acquisitions of one model are serialized,
 * those of other models and accounts never wait for each other. A holder that already has its row succeeds again
 * without a second slot. Adopting inserts without the count (the task runs at DashScope all the same); rename and
 * release are single statements.
 *
 * <p>A replica that dies leaves its rows. Those of a job that is still open are right (its task still runs, or its
 * submission is in doubt) and another replica releases them when it finishes the job; {@link #sweep} deletes the
 * others, rows older than a grace period whose holder is neither an open job's id nor the task id of an open job of
 * this account. A failed release or rename is left to the sweep likewise: it is logged (at most once a minute) and
 * not thrown, since the job's own transition matters more than the slot's row.
 */
final class SharedTaskSlots implements TaskSlots {

    private final String backend;
    private final Map<String, Integer> limits;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final StoreFallbackWarning warning;

    SharedTaskSlots(String backend, Map<String, Integer> limitsByModel, JdbcClient jdbc, TransactionTemplate tx,
            Clock clock, StoreFallbackWarning warning) {
        this.backend = backend;
        this.limits = ConcurrencyLimits.checked(limitsByModel);
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.warning = warning;
    }

    /** The advisory lock key of one account's model: 64 bits of an MD5 of the names, the same on every replica. */
    static long lockKey(String backend, String model) {
        return UUID.nameUUIDFromBytes(("cloud_task_slots/" + backend + "/" + model).getBytes(StandardCharsets.UTF_8))
                .getMostSignificantBits();
    }

    /** Takes a slot if the model has one free account-wide; a store failure is thrown (nothing was sent). */
    @Override
    public boolean tryAcquire(String model, String holder) {
        Boolean taken = tx.execute(status -> {
            jdbc.sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:key)) locked").param("key", lockKey(backend, model))
                    .query(Integer.class).single();
            if (holds(holder)) {
                return true;
            }
            int held = inFlight(model);
            if (held >= limit(model)) {
                return false;
            }
            insert(model, holder);
            return true;
        });
        return Boolean.TRUE.equals(taken);
    }

    @Override
    public void adopt(String model, String holder) {
        try {
            jdbc.sql("INSERT INTO cloud_task_slots (backend, holder, model, acquired_at) VALUES (:backend, :holder,"
                            + " :model, :at) ON CONFLICT (backend, holder) DO NOTHING")
                    .param("backend", backend).param("holder", holder).param("model", model).param("at", now())
                    .update();
        } catch (DataAccessException e) {
            warning.fellBack("Shared DashScope task slots of " + backend + " unavailable; slot of " + holder
                    + " not adopted", e);
        }
    }

    /** Moves the slot; when {@code to} already holds one (adopted meanwhile), {@code from}'s is dropped instead. */
    @Override
    public void rename(String from, String to) {
        try {
            tx.executeWithoutResult(status -> {
                if (holds(to)) {
                    release(from);
                } else {
                    jdbc.sql("UPDATE cloud_task_slots SET holder = :to, acquired_at = :at"
                                    + " WHERE backend = :backend AND holder = :from")
                            .param("to", to).param("at", now()).param("backend", backend).param("from", from)
                            .update();
                }
            });
        } catch (DataAccessException e) {
            warning.fellBack("Shared DashScope task slots of " + backend + " unavailable; slot of " + from
                    + " left for the sweep", e);
        }
    }

    @Override
    public boolean release(String holder) {
        try {
            return jdbc.sql("DELETE FROM cloud_task_slots WHERE backend = :backend AND holder = :holder")
                    .param("backend", backend).param("holder", holder).update() > 0;
        } catch (DataAccessException e) {
            warning.fellBack("Shared DashScope task slots of " + backend + " unavailable; slot of " + holder
                    + " left for the sweep", e);
            return false;
        }
    }

    @Override
    public boolean holds(String holder) {
        return jdbc.sql("SELECT COUNT(*) FROM cloud_task_slots WHERE backend = :backend AND holder = :holder")
                .param("backend", backend).param("holder", holder).query(Integer.class).single() > 0;
    }

    /** The model's slots held by all replicas. */
    @Override
    public int inFlight(String model) {
        return jdbc.sql("SELECT COUNT(*) FROM cloud_task_slots WHERE backend = :backend AND model = :model")
                .param("backend", backend).param("model", model).query(Integer.class).single();
    }

    @Override
    public Set<String> models() {
        return limits.keySet();
    }

    @Override
    public int limit(String model) {
        return limits.getOrDefault(model, ConcurrencyLimits.DEFAULT_LIMIT);
    }

    /**
     * Deletes the slots acquired (or renamed) before {@code cutoff} whose holder {@code open} does not know as an
     * open job or its task; returns how many.
     */
    int sweep(OpenTasks open, Instant cutoff) {
        OffsetDateTime before = OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC);
        List<String> old = jdbc.sql("SELECT holder FROM cloud_task_slots WHERE backend = :backend"
                        + " AND acquired_at < :before")
                .param("backend", backend).param("before", before).query(String.class).list();
        int removed = 0;
        for (int from = 0; from < old.size(); from += 500) {
            List<String> chunk = old.subList(from, Math.min(old.size(), from + 500));
            Set<String> live = open.openAmong(backend, chunk);
            List<String> dead = new ArrayList<>(chunk);
            dead.removeAll(live);
            if (!dead.isEmpty()) {
                removed += jdbc.sql("DELETE FROM cloud_task_slots WHERE backend = :backend AND holder IN (:holders)"
                                + " AND acquired_at < :before")
                        .param("backend", backend).param("holders", dead).param("before", before).update();
            }
        }
        return removed;
    }

    private void insert(String model, String holder) {
        jdbc.sql("INSERT INTO cloud_task_slots (backend, holder, model, acquired_at)"
                        + " VALUES (:backend, :holder, :model, :at)")
                .param("backend", backend).param("holder", holder).param("model", model).param("at", now())
                .update();
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    @Override
    public String toString() {
        return "task slots of " + backend + " shared in PostgreSQL";
    }
}
