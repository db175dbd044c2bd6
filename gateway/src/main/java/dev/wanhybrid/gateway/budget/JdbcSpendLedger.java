package dev.wanhybrid.gateway.budget;

import static dev.wanhybrid.gateway.budget.LedgerSql.usd;

import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.budget.LedgerSql.CounterKey;
import dev.wanhybrid.gateway.budget.SpendReports.SettledEvent;
import dev.wanhybrid.gateway.database.SqlWrites;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The spend ledger over SQL (H2 or PostgreSQL): one row per job plus one counter per cap and period.
 *
 * <p>Only capped scopes have counters. A reservation writes the job's entry first and then, last, adds the held
 * amount to the counter of each cap that applies (global and tenant, day and month), each with
 * {@code UPDATE ... WHERE committed + amount <= (the cap's limit)}: the database's row lock makes a second
 * reservation of the same counter wait for the first to commit and then re-check the condition against the new
 * value, so concurrent reservations cannot commit past a cap, and reservations of scopes without a cap write no
 * shared row at all. Which caps exist comes from {@link CapCache}; their limits are read in the reservation's own
 * statement. Counters are always taken in the same order, so two reservations never deadlock. A counter is created
 * (from what is recorded for its scope and period) by the first reservation that needs it, in a savepoint, so a
 * lost insert race rolls back only itself; {@link #reconcileCounters} brings each current counter back to what is
 * recorded, which covers reservations committed by a replica that had not yet seen a new cap. Settling replaces
 * the held amount by the actual one exactly once per job (the job's row is locked and its state checked first).
 *
 * <p>Every method runs in a nested transaction: inside a caller's transaction (a submission writes its reservation,
 * its job and the job's first event in one commit) a refusal rolls back to a savepoint and leaves the caller's
 * transaction usable; without one it is a transaction of its own. A reservation none of whose scopes has a cap
 * cannot be refused, so it joins the caller's transaction without a savepoint (two round trips fewer). Caps are set and reported through
 * {@link JdbcBudgetCaps}; what is recorded here is read back through {@link JdbcSpendReports}.
 */
public class JdbcSpendLedger implements SpendLedger {

    private static final Logger log = LoggerFactory.getLogger(JdbcSpendLedger.class);
    private static final DateTimeFormatter RESET_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z");

    static final String RESERVED = "reserved";
    static final String RELEASED = "released";
    static final String SETTLED = "settled";

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final BudgetProperties properties;
    private final SettlementPricer pricer;
    private final TransactionTemplate nested;
    private final TransactionTemplate joined;
    private final CapCache caps;
    private final List<Consumer<SettledEvent>> listeners = new CopyOnWriteArrayList<>();

    private record Entry(String jobId, String tenant, String backend, String model, String state,
            BigDecimal reservedUsd, BigDecimal actualUsd, String dayKey, String monthKey) {}

    /** Carries a budget refusal out of the transaction callback, which rolls the transaction back. */
    private static final class Refused extends RuntimeException {
        final CounterKey key;
        final BigDecimal limit;

        Refused(CounterKey key, BigDecimal limit) {
            super(null, null, false, false);
            this.key = key;
            this.limit = limit;
        }
    }

    public JdbcSpendLedger(JdbcClient jdbc, TransactionTemplate tx, Clock clock, BudgetProperties properties,
            SettlementPricer pricer, CapCache caps) {
        this.jdbc = jdbc;
        this.tx = nested(tx);
        this.nested = nested(tx);
        this.joined = new TransactionTemplate(tx.getTransactionManager(), tx);
        this.joined.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
        this.caps = caps;
        this.clock = clock;
        this.properties = properties;
        this.pricer = pricer;
    }

    public ZoneId zone() {
        return properties.timeZone();
    }

    /** Calls the listener after each settlement this ledger commits (see {@link SpendReports#onSettled}). */
    public void onSettled(Consumer<SettledEvent> listener) {
        listeners.add(listener);
    }

    @Override
    public void reserve(String jobId, String tenant, String backend, String model, BigDecimal estimateUsd)
            throws BudgetExceededException {
        reserve(jobId, tenant, backend, model, estimateUsd, false);
    }

    /**
     * Skips the lookup of an earlier entry (a locking read: on PostgreSQL a round trip, on H2 about a twentieth of
     * a submit). The entry's primary key still refuses a second one: the insert then fails.
     */
    @Override
    public void reserveNew(String jobId, String tenant, String backend, String model, BigDecimal estimateUsd)
            throws BudgetExceededException {
        reserve(jobId, tenant, backend, model, estimateUsd, true);
    }

    @Override
    public Optional<NewReservation> uncappedNew(String jobId, String tenant, String backend, String model,
            BigDecimal estimateUsd) {
        BigDecimal held = held(backend, estimateUsd);
        Instant now = clock.instant();
        List<CounterKey> keys = keysFor(tenant, now);
        for (CounterKey key : keys) {
            if (caps.cap(key).isPresent()) {
                return Optional.empty();
            }
        }
        return Optional.of(new NewReservation(jobId, tenant, backend, model, usd(estimateUsd), held,
                keys.get(0).periodKey(), keys.get(1).periodKey(), now));
    }

    /**
     * One multi-row insert for all of them (on PostgreSQL one round trip instead of one per job). The caps were read
     * when each was made ready, as {@link #reserve} reads them before its transaction; a cap set since is caught up
     * by {@link #reconcileCounters}, as a reservation committed by a replica that had not yet seen it is.
     */
    @Override
    public void reserveAllNew(List<NewReservation> reservations) {
        if (reservations.isEmpty()) {
            return;
        }
        joined.executeWithoutResult(status -> reserveAllNew(reservations, SqlWrites.now(jdbc)));
    }

    @Override
    public void reserveAllNew(List<NewReservation> reservations, SqlWrites writes) {
        if (reservations.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("""
                INSERT INTO spend_entries (job_id, tenant, backend, model, state, estimate_usd,
                  reserved_usd, day_key, month_key, reserved_at, updated_at) VALUES """);
        List<Object> params = new ArrayList<>(reservations.size() * 11);
        Set<CounterKey> keys = new LinkedHashSet<>();
        for (int i = 0; i < reservations.size(); i++) {
            NewReservation r = reservations.get(i);
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            Timestamp ts = Timestamp.from(r.at());
            params.addAll(Arrays.asList(r.jobId(), r.tenant(), r.backend(), r.model(), RESERVED,
                    r.estimateUsd(), r.heldUsd(), r.dayKey(), r.monthKey(), ts, ts));
            keys.addAll(keysFor(r.tenant(), r.dayKey(), r.monthKey()));
        }
        List<CounterKey> forget = List.copyOf(keys);
        writes.afterCompletion(() -> caps.forget(forget));
        writes.update(sql.toString(), params);
    }

    private void reserve(String jobId, String tenant, String backend, String model, BigDecimal estimateUsd,
            boolean newJob) throws BudgetExceededException {
        BigDecimal held = held(backend, estimateUsd);
        Instant now = clock.instant();
        List<CounterKey> keys = keysFor(tenant, now);
        // The caps as they are now, read once: a cap that appears mid-way must not refuse without a savepoint.
        Map<CounterKey, BudgetCap> capped = new LinkedHashMap<>();
        keys.forEach(key -> caps.cap(key).ifPresent(cap -> capped.put(key, cap)));
        try {
            (capped.isEmpty() ? joined : tx).executeWithoutResult(status -> {
                forgetAtCompletion(keys);
                Optional<Entry> existing = newJob ? Optional.empty() : lock(jobId);
                if (existing.isPresent() && SETTLED.equals(existing.get().state())) {
                    log.warn("job {} is already settled; a new reservation is ignored", jobId);
                    return;
                }
                existing.filter(e -> RESERVED.equals(e.state())).ifPresent(e -> addToCounters(e, e.reservedUsd().negate()));
                Timestamp ts = Timestamp.from(now);
                if (existing.isPresent()) {
                    jdbc.sql("""
                            UPDATE spend_entries SET backend = ?, model = ?, state = ?, estimate_usd = ?,
                              reserved_usd = ?, day_key = ?, month_key = ?, reserved_at = ?, updated_at = ?
                            WHERE job_id = ?""")
                            .params(backend, model, RESERVED, usd(estimateUsd), held, keys.get(0).periodKey(),
                                    keys.get(1).periodKey(), ts, ts, jobId)
                            .update();
                } else {
                    jdbc.sql("""
                            INSERT INTO spend_entries (job_id, tenant, backend, model, state, estimate_usd,
                              reserved_usd, day_key, month_key, reserved_at, updated_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                            .params(jobId, tenant, backend, model, RESERVED, usd(estimateUsd), held,
                                    keys.get(0).periodKey(), keys.get(1).periodKey(), ts, ts)
                            .update();
                }
                // The shared rows last, so their locks are held for as short a time as possible.
                capped.forEach((key, cap) -> holdOn(key, held, jobId, refuses(cap, backend)));
            });
        } catch (Refused r) {
            BigDecimal committed = LedgerSql.committedOrRecorded(jdbc, r.key);
            BigDecimal remaining = r.limit.subtract(committed).max(BigDecimal.ZERO);
            Instant resets = r.key.period().end(now, zone());
            throw new BudgetExceededException(r.key.capName(), remaining, String.format(
                    "The %s budget of $%s has $%s left, less than the $%s this %s job on %s needs; it resets at %s.",
                    r.key.capName(), plain(r.limit), plain(remaining), plain(held), backend, model,
                    RESET_FORMAT.format(resets.atZone(zone()))));
        }
    }

    @Override
    public BigDecimal settle(String jobId, String tenant, String backend, BackendTask task, TaskSnapshot snapshot) {
        SettlementPricer.Settlement s = pricer.price(backend, task, snapshot);
        BigDecimal actual = usd(s.actualUsd());
        BigDecimal list = s.listUsd() == null ? null : usd(s.listUsd());
        Instant now = clock.instant();
        List<CounterKey> keysNow = keysFor(tenant, now);
        String model = task == null ? "unknown" : task.model();
        BigDecimal[] recorded = new BigDecimal[1];
        boolean[] fresh = new boolean[1];
        tx.executeWithoutResult(status -> {
            forgetAtCompletion(keysNow);
            Optional<Entry> existing = lock(jobId);
            existing.ifPresent(e -> forgetAtCompletion(keysFor(e)));
            Timestamp ts = Timestamp.from(now);
            if (existing.isPresent() && SETTLED.equals(existing.get().state())) {
                recorded[0] = existing.get().actualUsd();
                return;
            }
            if (existing.isPresent()) {
                Entry e = existing.get();
                BigDecimal held = RESERVED.equals(e.state()) ? e.reservedUsd() : BigDecimal.ZERO;
                addToCounters(e, actual.subtract(held));
                jdbc.sql("""
                        UPDATE spend_entries SET backend = ?, model = ?, state = ?, reserved_usd = 0, actual_usd = ?,
                          list_usd = ?, billed_seconds = ?, gpu_seconds = ?, settled_at = ?, updated_at = ?
                        WHERE job_id = ?""")
                        .params(backend, model, SETTLED, actual, list, s.billedSeconds(), s.gpuSeconds(), ts, ts, jobId)
                        .update();
            } else {
                // Settled without a reservation (the ledger was added while the job ran): record it in today's period.
                for (CounterKey key : keysNow) {
                    if (caps.capped(key)) {
                        add(key, actual);
                    }
                }
                jdbc.sql("""
                        INSERT INTO spend_entries (job_id, tenant, backend, model, state, estimate_usd, reserved_usd,
                          actual_usd, list_usd, billed_seconds, gpu_seconds, day_key, month_key, reserved_at,
                          settled_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                        .params(jobId, tenant, backend, model, SETTLED, actual, actual, list, s.billedSeconds(),
                                s.gpuSeconds(), keysNow.get(0).periodKey(), keysNow.get(1).periodKey(), ts, ts, ts)
                        .update();
            }
            recorded[0] = actual;
            fresh[0] = true;
        });
        if (fresh[0]) {
            SettledEvent event = new SettledEvent(jobId, tenant, backend, model, actual, list);
            listeners.forEach(l -> l.accept(event));
        }
        return recorded[0];
    }

    @Override
    public BigDecimal recordBilled(String entryId, String tenant, String backend, BackendTask task,
            TaskSnapshot snapshot, String reason) {
        BigDecimal amount = settle(entryId, tenant, backend, task, snapshot);
        jdbc.sql("UPDATE spend_entries SET reason = ?, task_id = ? WHERE job_id = ? AND reason IS NULL")
                .params(reason, snapshot.taskId(), entryId).update();
        return amount;
    }

    @Override
    public void release(String jobId) {
        tx.executeWithoutResult(status -> lock(jobId).filter(e -> RESERVED.equals(e.state())).ifPresent(e -> {
            forgetAtCompletion(keysFor(e));
            addToCounters(e, e.reservedUsd().negate());
            jdbc.sql("UPDATE spend_entries SET state = ?, reserved_usd = 0, updated_at = ? WHERE job_id = ?")
                    .params(RELEASED, Timestamp.from(clock.instant()), jobId).update();
        }));
    }

    private Optional<Entry> lock(String jobId) {
        return entry(jobId, " FOR UPDATE");
    }

    private Optional<Entry> entry(String jobId, String lock) {
        return jdbc.sql("""
                SELECT job_id, tenant, backend, model, state, reserved_usd, actual_usd, day_key, month_key
                FROM spend_entries WHERE job_id = ?""" + lock)
                .params(jobId)
                .query((rs, n) -> new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getBigDecimal(6), rs.getBigDecimal(7), rs.getString(8), rs.getString(9)))
                .optional();
    }

    private void addToCounters(Entry e, BigDecimal amount) {
        if (amount.signum() == 0) {
            return;
        }
        for (CounterKey key : keysFor(e)) {
            if (caps.capped(key)) {
                add(key, amount);
            }
        }
    }

    /**
     * Adds a reservation's held amount to a capped counter, if {@code refusable} only when the cap's current limit allows it. A counter that
     * has no row yet is created from what is recorded (in a savepoint) and tried again; a cap removed meanwhile
     * holds nothing back.
     */
    private void holdOn(CounterKey key, BigDecimal held, String jobId, boolean refusable) {
        String withinLimit = refusable ? "\n" + """
                  AND committed_usd + :amount <= (SELECT c.limit_usd FROM budget_caps c
                      WHERE c.scope = :scope AND c.tenant = :tenant AND c.period = :period)""" : "";
        for (int attempt = 0; attempt < 3; attempt++) {
            int changed = jdbc.sql("""
                    UPDATE budget_counters SET committed_usd = committed_usd + :amount
                    WHERE scope = :scope AND tenant = :tenant AND period = :period AND period_key = :key"""
                    + withinLimit)
                    .param("amount", held).param("scope", key.scope().id()).param("tenant", key.tenant())
                    .param("period", key.period().id()).param("key", key.periodKey()).update();
            if (changed > 0) {
                return;
            }
            Optional<BigDecimal> limit = jdbc.sql("SELECT limit_usd FROM budget_caps WHERE scope = ? AND tenant = ? AND period = ?")
                    .params(key.scope().id(), key.tenant(), key.period().id()).query(BigDecimal.class).optional();
            if (limit.isEmpty()) {
                return;
            }
            if (LedgerSql.committed(jdbc, key).isPresent()) {
                throw new Refused(key, limit.get());
            }
            createCounter(key, jobId);
        }
        throw new IllegalStateException("the counter " + key.capName() + " " + key.periodKey() + " could not be created");
    }

    /**
     * Whether the cap may refuse this backend's reservation: always, except owned engines' work under a cap whose
     * policy is {@code local_only} or {@code queue} (recorded against it, never refused by it).
     */
    private static boolean refuses(BudgetCap cap, String backend) {
        return Backend.isCloud(backend) || cap.whenExhausted().refusesOwnedEngines();
    }

    /**
     * Creates a counter from what is already recorded for its scope and period (all but the reserving job, which
     * adds itself next). A concurrent creation wins the race harmlessly: the savepoint rolls back only this insert.
     */
    private void createCounter(CounterKey key, String jobId) {
        try {
            nested.executeWithoutResult(status -> LedgerSql.createCounter(jdbc, key, jobId));
        } catch (DuplicateKeyException raced) {
            // created by a concurrent reservation: exactly what we wanted
        }
    }

    /**
     * Sets the counter of every cap's current period to what is recorded, under the counter's lock: reservations
     * that took the counter before have committed by then and are in the sum, later ones add to the new value.
     * Run periodically, it corrects what a replica that had not yet seen a new cap reserved without counting.
     *
     * @return how many counters changed
     */
    public int reconcileCounters() {
        Instant now = clock.instant();
        int changed = 0;
        for (BudgetCap cap : caps.caps()) {
            CounterKey key = new CounterKey(cap.scope(), cap.tenant(), cap.period(), cap.period().keyOf(now, zone()));
            Boolean moved = tx.execute(status -> {
                Optional<BigDecimal> held = jdbc.sql("""
                        SELECT committed_usd FROM budget_counters
                        WHERE scope = ? AND tenant = ? AND period = ? AND period_key = ? FOR UPDATE""")
                        .params(key.scope().id(), key.tenant(), key.period().id(), key.periodKey())
                        .query(BigDecimal.class).optional();
                if (held.isEmpty()) {
                    return false;
                }
                BigDecimal recorded = LedgerSql.recorded(jdbc, key, null);
                if (recorded.compareTo(held.get()) == 0) {
                    return false;
                }
                log.warn("budget counter {} {} held ${} but ${} is recorded; corrected", key.capName(),
                        key.periodKey(), held.get().toPlainString(), recorded.toPlainString());
                jdbc.sql("""
                        UPDATE budget_counters SET committed_usd = ?
                        WHERE scope = ? AND tenant = ? AND period = ? AND period_key = ?""")
                        .params(recorded, key.scope().id(), key.tenant(), key.period().id(), key.periodKey()).update();
                return true;
            });
            changed += Boolean.TRUE.equals(moved) ? 1 : 0;
        }
        return changed;
    }

    private void add(CounterKey key, BigDecimal amount) {
        jdbc.sql("""
                UPDATE budget_counters SET committed_usd = committed_usd + ?
                WHERE scope = ? AND tenant = ? AND period = ? AND period_key = ?""")
                .params(amount, key.scope().id(), key.tenant(), key.period().id(), key.periodKey()).update();
    }

    /** The four counters of a tenant at an instant, in the one order every transaction takes them. */
    private List<CounterKey> keysFor(String tenant, Instant at) {
        String day = BudgetPeriod.DAY.keyOf(at, zone());
        String month = BudgetPeriod.MONTH.keyOf(at, zone());
        return List.of(new CounterKey(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, day),
                new CounterKey(BudgetScope.GLOBAL, "", BudgetPeriod.MONTH, month),
                new CounterKey(BudgetScope.TENANT, tenant, BudgetPeriod.DAY, day),
                new CounterKey(BudgetScope.TENANT, tenant, BudgetPeriod.MONTH, month));
    }

    /** What a reservation of {@code estimateUsd} on {@code backend} holds: the estimate plus the backend's margin. */
    private BigDecimal held(String backend, BigDecimal estimateUsd) {
        if (estimateUsd == null || estimateUsd.signum() < 0) {
            throw new IllegalArgumentException("estimate must be a non-negative amount, was " + estimateUsd);
        }
        return usd(estimateUsd.multiply(BigDecimal.ONE.add(properties.marginFor(backend))));
    }

    private List<CounterKey> keysFor(Entry e) {
        return keysFor(e.tenant(), e.dayKey(), e.monthKey());
    }

    private static List<CounterKey> keysFor(String tenant, String dayKey, String monthKey) {
        return List.of(new CounterKey(BudgetScope.GLOBAL, "", BudgetPeriod.DAY, dayKey),
                new CounterKey(BudgetScope.GLOBAL, "", BudgetPeriod.MONTH, monthKey),
                new CounterKey(BudgetScope.TENANT, tenant, BudgetPeriod.DAY, dayKey),
                new CounterKey(BudgetScope.TENANT, tenant, BudgetPeriod.MONTH, monthKey));
    }

    /** The headroom's remembered counters are forgotten when the outermost transaction ends, committed or not. */
    private void forgetAtCompletion(List<CounterKey> keys) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    caps.forget(keys);
                }
            });
        } else {
            caps.forget(keys);
        }
    }

    private static TransactionTemplate nested(TransactionTemplate template) {
        TransactionTemplate nested = new TransactionTemplate(template.getTransactionManager(), template);
        nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        return nested;
    }

    private static String plain(BigDecimal amount) {
        BigDecimal s = amount.setScale(Math.max(2, amount.stripTrailingZeros().scale()), RoundingMode.HALF_EVEN);
        return s.toPlainString();
    }
}
