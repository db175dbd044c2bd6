package dev.wanhybrid.gateway.billing;

import dev.wanhybrid.gateway.backend.BillingRecords;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.jobs.JobStore;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires billing reconciliation ({@code gateway.billing.*}): {@code reconcile-interval} (default 5m) between rounds,
 * {@code orphan-after} (default 2m: more than the minute a new submission's reconciliation looks back; jobs still in
 * doubt are checked in the job store) before an unbound billed task is an orphan, {@code enabled} (default true).
 */
@Configuration(proxyBeanMethods = false)
class BillingConfiguration {

    @Bean
    BillingReconciler billingReconciler(ObjectProvider<BillingRecords> providers, JobStore jobs, SpendLedger ledger,
            Clock clock, Environment environment) {
        Binder binder = Binder.get(environment);
        Duration interval = binder.bind("gateway.billing.reconcile-interval", Duration.class)
                .orElse(Duration.ofMinutes(5));
        Duration orphanAfter = binder.bind("gateway.billing.orphan-after", Duration.class)
                .orElse(Duration.ofMinutes(2));
        boolean enabled = binder.bind("gateway.billing.enabled", Boolean.class).orElse(true);
        return new BillingReconciler(enabled ? providers.orderedStream().toList() : java.util.List.of(), jobs, ledger,
                clock, interval, orphanAfter);
    }
}
