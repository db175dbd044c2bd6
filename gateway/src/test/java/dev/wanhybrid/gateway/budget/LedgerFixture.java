package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.local.FleetCost;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalConfigLoader;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.cost.CatalogSettlementPricer;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Builds a real ledger, its caps and its reports over a migrated database with the shipped catalog's prices and a clock tests can move. */
public final class LedgerFixture {

    final DataSource dataSource;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    public final JdbcSpendLedger ledger;
    final JdbcBudgetCaps caps;
    final JdbcSpendReports reports;
    final JdbcClient jdbc;
    final LocalCostModel local;
    final BudgetProperties properties;

    public LedgerFixture(DataSource dataSource, ZoneId zone, BudgetProperties.Degrade degrade) {
        this.dataSource = dataSource;
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        this.jdbc = JdbcClient.create(dataSource);
        // An owned GPU drawing 600 W above idle at $0.12/kWh and PUE 1.5: 0.00003 USD per GPU-second.
        this.local = new LocalCostModel(new GpuFleet("h100", 2, new FleetCost.Owned(Money.usd("25000"),
                new BigDecimal("4"), new BigDecimal("700"), new BigDecimal("100"), Money.usd("0.12"),
                new BigDecimal("1.5"), Money.usd("0"), Money.usd("0"))), LocalConfigLoader.defaultThroughput());
        this.properties = new BudgetProperties(zone, degrade,
                Map.of("local", new BigDecimal("0.5"), "cloud", BigDecimal.ZERO), List.of(), List.of());
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        CapCache capCache = new CapCache(jdbc, clock, java.time.Duration.ofSeconds(5), java.time.Duration.ofMinutes(1));
        this.ledger = new JdbcSpendLedger(jdbc, tx, clock, properties,
                new CatalogSettlementPricer(CatalogFixtures.shipped(), local), capCache);
        this.caps = new JdbcBudgetCaps(jdbc, tx, clock, properties, capCache);
        this.reports = new JdbcSpendReports(jdbc, clock, ledger);
    }

    /** A second instance's ledger over the same database, with its own copy of the caps (another replica). */
    JdbcSpendLedger replica() {
        return new JdbcSpendLedger(jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)), clock,
                properties, new CatalogSettlementPricer(CatalogFixtures.shipped(), local),
                new CapCache(jdbc, clock, java.time.Duration.ofSeconds(5), java.time.Duration.ofMinutes(1)));
    }

    long counterRows() {
        return jdbc.sql("SELECT COUNT(*) FROM budget_counters").query(Long.class).single();
    }

    static GenerationSpec spec(String tenant, int seconds, String size, boolean audio) {
        return new GenerationSpec(tenant, "auto", TaskKind.T2V, "a red fox in snow", null, VideoSize.parse(size),
                seconds, null, null, audio ? AudioSpec.GENERATED : AudioSpec.NONE, null, null);
    }

    static BackendTask task(String jobId, String model, GenerationSpec spec) {
        return new BackendTask(jobId, model, spec);
    }

    public static TaskSnapshot succeededCloud(long billedSeconds) {
        return new TaskSnapshot("task", TaskSnapshot.State.SUCCEEDED, 100, null, BigDecimal.valueOf(billedSeconds),
                null, null, null);
    }

    static TaskSnapshot succeededLocal(double gpuSeconds) {
        return new TaskSnapshot("task", TaskSnapshot.State.SUCCEEDED, 100, null, null,
                BigDecimal.valueOf(gpuSeconds), null, null);
    }

    static TaskSnapshot failed() {
        return new TaskSnapshot("task", TaskSnapshot.State.FAILED, -1, null, null, null, "InternalError", "boom");
    }

    BigDecimal sumActual() {
        return jdbc.sql("SELECT COALESCE(SUM(actual_usd), 0) FROM spend_entries").query(BigDecimal.class).single();
    }

    /** What the ledger holds against a scope and period: its counter where it has a cap, else what is recorded. */
    BigDecimal committed(String scope, String tenant, String period, String key) {
        return LedgerSql.committedOrRecorded(jdbc, new LedgerSql.CounterKey(dev.wanhybrid.cost.budget.BudgetScope.parse(scope),
                tenant, dev.wanhybrid.cost.budget.BudgetPeriod.parse(period), key));
    }
}
