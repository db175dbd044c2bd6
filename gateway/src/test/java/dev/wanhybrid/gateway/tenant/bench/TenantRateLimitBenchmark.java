package dev.wanhybrid.gateway.tenant.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.wanhybrid.gateway.tenant.InMemoryTenantRateLimiter;
import dev.wanhybrid.gateway.tenant.SharedTenantRateLimiter;
import dev.wanhybrid.gateway.tenant.TenantProperties;
import dev.wanhybrid.gateway.tenant.TenantRateLimiter;
import dev.wanhybrid.gateway.e2e.bench.DurablePostgres;
import dev.wanhybrid.gateway.limits.UnloggedRateBuckets;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What taking a tenant's permit costs when the limit is shared in PostgreSQL, against the in-memory limiter measured
 * in the same run (the baseline of every ratio). Not a test: it asserts nothing and prints Markdown. Both limiters
 * are the shipped classes; the shared one runs over a Hikari pool of 16 (the gateway's default) on an embedded
 * PostgreSQL (zonky's binaries, commits durable: {@link DurablePostgres}) with the table of migration V45. Limits
 * are high enough that every take is admitted, so each shared take is one full bucket transaction. Threads either
 * all use one tenant (one row, contended) or one tenant each (one row each).
 *
 * <p>Run: {@code ./mvnw -o -pl gateway test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test
 * '-Dexec.args=-classpath %classpath dev.wanhybrid.gateway.tenant.bench.TenantRateLimitBenchmark 5'} (seconds per
 * measurement, after as long a warm-up; a second argument {@code logged} keeps the table logged, as before
 * migration 53).
 */
public final class TenantRateLimitBenchmark {

    private TenantRateLimitBenchmark() {}

    static final TenantProperties.RateLimit HIGH = new TenantProperties.RateLimit(1_000_000_000, Duration.ofSeconds(1));

    public static void main(String[] args) throws Exception {
        Duration each = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 5);
        boolean logged = args.length > 1 && args[1].equals("logged"); // the table as V45 made it, before V53
        try (EmbeddedPostgres postgres = DurablePostgres.start()) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
            config.setUsername("postgres");
            config.setMaximumPoolSize(16);
            try (HikariDataSource pool = new HikariDataSource(config)) {
                createTable(pool, logged);
                SharedTenantRateLimiter shared = new SharedTenantRateLimiter(pool);
                TenantRateLimiter memory = new InMemoryTenantRateLimiter();
                System.out.println("| threads | tenants | in-memory takes/s (baseline) | shared takes/s | shared / in-memory"
                        + " | shared mean us per take |");
                System.out.println("|---:|---:|---:|---:|---:|---:|");
                for (int threads : new int[] {1, 8, 32}) {
                    for (boolean oneTenant : new boolean[] {true, false}) {
                        double base = rate(memory, threads, oneTenant, each);
                        double rate = rate(shared, threads, oneTenant, each);
                        System.out.printf(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.4fx | %.0f |%n", threads,
                                oneTenant ? "1 (one row)" : threads + " (a row each)", base, rate, rate / base,
                                threads * 1e6 / rate);
                    }
                }
                if (shared.fallbacks() > 0) {
                    throw new IllegalStateException(shared.fallbacks() + " takes fell back to memory: figures invalid");
                }
                shared.destroy();
            }
        }
    }

    static void createTable(HikariDataSource pool, boolean logged) throws Exception {
        try (InputStream in = TenantRateLimitBenchmark.class.getResourceAsStream(
                "/db/migration/V45__tenant_rate_buckets.sql");
                Connection connection = pool.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (!logged) {
                new UnloggedRateBuckets().apply(connection); // as migration 53 leaves it
            }
        }
    }

    /** Takes per second over {@code each}, after a warm-up as long. */
    static double rate(TenantRateLimiter limiter, int threads, boolean oneTenant, Duration each) throws Exception {
        run(limiter, threads, oneTenant, each);
        long start = System.nanoTime();
        long takes = run(limiter, threads, oneTenant, each);
        return takes / ((System.nanoTime() - start) / 1e9);
    }

    static long run(TenantRateLimiter limiter, int threads, boolean oneTenant, Duration each) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Long>> counts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String tenant = oneTenant ? "bench" : "bench-" + t;
                counts.add(pool.submit(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        if (limiter.take(tenant, HIGH).isPresent()) {
                            throw new IllegalStateException("refused: the benchmark's limit is too low");
                        }
                        n++;
                    }
                    return n;
                }));
            }
            Thread.sleep(each.toMillis());
            stop.set(true);
            long total = 0;
            for (Future<Long> count : counts) {
                total += count.get();
            }
            return total;
        }
    }
}
