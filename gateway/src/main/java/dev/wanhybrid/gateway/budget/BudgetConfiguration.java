package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.cost.budget.DegradePolicy;
import dev.wanhybrid.cost.budget.WhenExhausted;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The SQL spend ledger, its caps and its reports, and the caps seeded from configuration. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BudgetProperties.class)
class BudgetConfiguration {

    /**
     * The caps in memory; another replica's change is seen within {@code gateway.budget.cap-refresh} (default 5 s),
     * this instance's at once. The router's headroom remembers each counter for
     * {@code gateway.budget.headroom-refresh} (default 1 s; this instance's own reservations are seen at once).
     */
    @Bean
    CapCache capCache(JdbcClient jdbc, Clock clock,
            @Value("${gateway.budget.cap-refresh:5s}") Duration refresh,
            @Value("${gateway.budget.headroom-refresh:1s}") Duration headroomRefresh) {
        return new CapCache(jdbc, clock, refresh, headroomRefresh);
    }

    /** Always defined; a test that wants another {@link SpendLedger} marks its own {@code @Primary}. */
    @Bean
    JdbcSpendLedger jdbcSpendLedger(JdbcClient jdbc, PlatformTransactionManager transactions, Clock clock,
            BudgetProperties properties, SettlementPricer pricer, CapCache caps) {
        return new JdbcSpendLedger(jdbc, new TransactionTemplate(transactions), clock, properties, pricer, caps);
    }

    /**
     * Brings the counters of the current periods back to what is recorded, every
     * {@code gateway.budget.counter-reconcile} (default 30 s; 0 turns it off).
     */
    @Bean
    CounterReconciler budgetCounterReconciler(JdbcSpendLedger ledger,
            @Value("${gateway.budget.counter-reconcile:30s}") Duration every) {
        return new CounterReconciler(ledger, every);
    }

    @Bean
    JdbcBudgetCaps jdbcBudgetCaps(JdbcClient jdbc, PlatformTransactionManager transactions, Clock clock,
            BudgetProperties properties, CapCache caps,
            org.springframework.beans.factory.ObjectProvider<BackendSpendCaps> backendCaps) {
        // Fails at start-up with the key named when the degrade action is misspelt.
        try {
            DegradePolicy.Action.parse(properties.degrade().action());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gateway.budget.degrade.action: " + e.getMessage(), e);
        }
        java.util.Map<String, java.math.BigDecimal> limits = new java.util.HashMap<>();
        backendCaps.orderedStream().forEach(c -> limits.putAll(c.monthlyUsd()));
        return new JdbcBudgetCaps(jdbc, new TransactionTemplate(transactions), clock, properties, caps,
                () -> java.util.Map.copyOf(limits));
    }

    /** Reads what {@code jdbcSpendLedger} writes, and tells of its settlements. */
    @Bean
    JdbcSpendReports jdbcSpendReports(JdbcClient jdbc, Clock clock, JdbcSpendLedger ledger) {
        return new JdbcSpendReports(jdbc, clock, ledger);
    }

    @Bean
    ApplicationRunner seedBudgetCaps(BudgetProperties properties, org.springframework.beans.factory.ObjectProvider<JdbcBudgetCaps> caps) {
        return args -> caps.ifAvailable(l -> {
            for (int i = 0; i < properties.caps().size(); i++) {
                BudgetProperties.Cap c = properties.caps().get(i);
                WhenExhausted whenExhausted;
                try {
                    whenExhausted = c.whenExhausted() == null ? WhenExhausted.REJECT
                            : WhenExhausted.parse(c.whenExhausted());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("gateway.budget.caps[" + i + "].when-exhausted: "
                            + e.getMessage(), e);
                }
                try {
                    l.seedCap(new BudgetCap(BudgetScope.parse(c.scope()), c.tenant(), BudgetPeriod.parse(c.period()),
                            Money.usd(c.limitUsd()), whenExhausted));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("gateway.budget.caps[" + i + "]: " + e.getMessage(), e);
                }
            }
        });
    }
}
