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

/** The SQL spend ledger and the caps seeded from configuration. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BudgetProperties.class)
class BudgetConfiguration {

    /** Always defined; a test that wants another {@link SpendLedger} marks its own {@code @Primary}. */
    @Bean
    JdbcSpendLedger jdbcSpendLedger(JdbcClient jdbc, PlatformTransactionManager transactions, Clock clock,
            BudgetProperties properties, SettlementPricer pricer) {
        // Fails at start-up with the key named when the degrade action is misspelt.
        try {
            DegradePolicy.Action.parse(properties.degrade().action());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gateway.budget.degrade.action: " + e.getMessage(), e);
        }
        return new JdbcSpendLedger(jdbc, new TransactionTemplate(transactions), clock, properties, pricer);
    }

    @Bean
    ApplicationRunner seedBudgetCaps(BudgetProperties properties, org.springframework.beans.factory.ObjectProvider<JdbcSpendLedger> ledger) {
        return args -> ledger.ifAvailable(l -> {
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
