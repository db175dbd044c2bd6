package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.cost.budget.DegradePolicy;
import java.time.Clock;
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

    /** Always defined; a test that wants another {@link SpendLedger} marks its own {@code @Primary}. */
    @Bean
    JdbcSpendLedger jdbcSpendLedger(JdbcClient jdbc, PlatformTransactionManager transactions, Clock clock,
            BudgetProperties properties, SettlementPricer pricer) {
        return new JdbcSpendLedger(jdbc, new TransactionTemplate(transactions), clock, properties, pricer);
    }

    @Bean
    JdbcBudgetCaps jdbcBudgetCaps(JdbcClient jdbc, PlatformTransactionManager transactions, Clock clock,
            BudgetProperties properties) {
        // Fails at start-up with the key named when the degrade action is misspelt.
        try {
            DegradePolicy.Action.parse(properties.degrade().action());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gateway.budget.degrade.action: " + e.getMessage(), e);
        }
        return new JdbcBudgetCaps(jdbc, new TransactionTemplate(transactions), clock, properties);
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
                try {
                    l.seedCap(new BudgetCap(BudgetScope.parse(c.scope()), c.tenant(), BudgetPeriod.parse(c.period()),
                            Money.usd(c.limitUsd())));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("gateway.budget.caps[" + i + "]: " + e.getMessage(), e);
                }
            }
        });
    }
}
