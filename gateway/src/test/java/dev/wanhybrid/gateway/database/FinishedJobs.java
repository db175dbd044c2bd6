package dev.wanhybrid.gateway.database;

import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.budget.BudgetExceededException;
import dev.wanhybrid.gateway.budget.LedgerFixture;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobPhase;
import dev.wanhybrid.gateway.jobs.JobRoute;
import dev.wanhybrid.gateway.jobs.JobStore;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import dev.wanhybrid.gateway.storage.ResultStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.springframework.transaction.support.TransactionTemplate;

/** Finished cloud jobs written through the real job store and ledger, for measuring the store's footprint. */
public final class FinishedJobs {

    /** When job 0 was created; job {@code i} a second later per number. */
    public static final Instant T0 = Instant.parse("2026-11-22T00:00:00Z");

    private FinishedJobs() {}

    /**
     * Writes the jobs numbered {@code from} (inclusive) to {@code to} (exclusive), each finished: created with its
     * first event and its reservation in one commit, then submitting, running, fetching the result, and completed
     * with its settlement, each a commit with its event.
     */
    public static void write(JobStore store, TransactionTemplate tx, SpendLedger ledger, int from, int to) {
        write(store, tx, ledger, from, to, 0);
    }

    /**
     * As {@link #write(JobStore, TransactionTemplate, SpendLedger, int, int)}, at most {@code jobsPerSecond} jobs a
     * second (0: as fast as one thread can).
     */
    public static void write(JobStore store, TransactionTemplate tx, SpendLedger ledger, int from, int to,
            int jobsPerSecond) {
        write(store, tx, ledger, from, to, jobsPerSecond, 1);
    }

    /**
     * As {@link #write(JobStore, TransactionTemplate, SpendLedger, int, int, int)}, by {@code writers} threads at
     * once, as the gateway's request and dispatcher threads write different jobs at the same time: job {@code n} is
     * started by the next free writer once it is due ({@code jobsPerSecond} 0: at once), so at most
     * {@code writers} jobs are under way together.
     */
    public static void write(JobStore store, TransactionTemplate tx, SpendLedger ledger, int from, int to,
            int jobsPerSecond, int writers) {
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(from);
        Runnable writer = () -> {
            for (int n = next.getAndIncrement(); n < to; n = next.getAndIncrement()) {
                if (jobsPerSecond > 0) {
                    long due = start + (n - from) * 1_000_000_000L / jobsPerSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
                writeOne(store, tx, ledger, n);
            }
        };
        if (writers == 1) {
            writer.run();
            return;
        }
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers)) {
            List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
            for (int w = 0; w < writers; w++) {
                running.add(pool.submit(writer));
            }
            for (java.util.concurrent.Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Words prompts are drawn from. Every job gets a prompt and a result checksum of its own, as real jobs do: with
     * one prompt and one checksum for every job, compressed pages looked several times smaller than real data makes
     * them.
     */
    private static final String[] WORDS = ("a the lighthouse storm waves crash against rocks dusk city street rain "
            + "neon reflections slow camera pan drone shot over forest fog morning sunlight golden hour portrait "
            + "woman man child dog cat running walking dancing ocean desert mountain snow river bridge train car "
            + "close-up wide cinematic 35mm film grain handheld tracking shot night stars aurora market crowd "
            + "coffee steam kitchen window curtain wind leaves autumn spring red blue green yellow old young").split(" ");

    /** A prompt of 12 to 60 words, the same for the same job number in every run. */
    static String prompt(int i) {
        java.util.Random random = new java.util.Random(i * 7919L + 17);
        StringBuilder text = new StringBuilder();
        for (int w = 12 + random.nextInt(49); w > 0; w--) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(w > 1 ? " " : "");
        }
        return text.toString();
    }

    /** A result checksum as random as a real SHA-256, the same for the same job number in every run. */
    static String checksum(int i) {
        java.util.Random random = new java.util.Random(i * 104729L + 3);
        StringBuilder hex = new StringBuilder();
        for (int b = 0; b < 32; b++) {
            hex.append(String.format(Locale.ROOT, "%02x", random.nextInt(256)));
        }
        return hex.toString();
    }

    private static GenerationSpec spec(int i) {
        return new GenerationSpec("acme", "auto", TaskKind.T2V, prompt(i), null, null, 5, null, null, null, null,
                null);
    }
    private static final RouteCandidate CLOUD = new RouteCandidate("cloud", "wan2.5-t2v-preview",
            new BigDecimal("0.50"), Duration.ofSeconds(90));
    private static final RouteCandidate LOCAL = new RouteCandidate("local", "wan2.1-t2v-1.3b",
            new BigDecimal("0.004"), Duration.ofSeconds(240));
    private static final JobRoute ROUTE = JobRoute.of(new Route(List.of(CLOUD, LOCAL), List.of(), "cheapest"),
            List.of(CLOUD, LOCAL), List.of());

    private static void writeOne(JobStore store, TransactionTemplate tx, SpendLedger ledger, int i) {
        Instant at = T0.plusSeconds(i);
        String id = String.format(Locale.ROOT, "video_%032x", i);
        GenerationSpec spec = spec(i);
        Job created = tx.execute(status -> {
            try {
                ledger.reserve(id, "acme", "cloud", CLOUD.model(), CLOUD.estimatedCostUsd());
            } catch (BudgetExceededException e) {
                throw new AssertionError("no cap is set", e);
            }
            return store.create(Job.accepted(id, spec, ROUTE, at));
        });
        Job job = store.transition(created, JobPhase.SUBMITTING, null, at, set -> {}).orElseThrow();
        Job running = store.transition(job, JobPhase.RUNNING, null, at.plusSeconds(1),
                set -> set.taskId(String.format(Locale.ROOT, "0b5e4f6a-9d3c-4a8e-b1f2-%012x", i))).orElseThrow();
        Job fetching = store.transition(running, JobPhase.FETCHING_RESULT, null, at.plusSeconds(60),
                set -> set.progress(100)).orElseThrow();
        tx.executeWithoutResult(status -> {
            BigDecimal actual = ledger.settle(id, "acme", "cloud", new BackendTask(id, CLOUD.model(), spec),
                    LedgerFixture.succeededCloud(5));
            store.transition(fetching, JobPhase.COMPLETED, null, at.plusSeconds(61),
                    set -> set.result("results/" + id + ".mp4", 3_000_000, checksum(i)).actualUsd(actual))
                    .orElseThrow();
        });
    }

    /** Results are not written here; deleting one is a no-op. */
    public static final class NoResults implements ResultStore {
        @Override
        public dev.wanhybrid.gateway.storage.StoredObject put(String key, java.io.InputStream content, long max) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.Optional<dev.wanhybrid.gateway.storage.StoredObject> stat(String key) {
            return java.util.Optional.empty();
        }

        @Override
        public java.io.InputStream open(String key, long offset, long length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String key) {}
    }
}
