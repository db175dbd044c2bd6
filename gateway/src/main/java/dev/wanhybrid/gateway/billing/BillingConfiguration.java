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
    BillingReconciler billingReconciler(ObjectProvider<BillingRecords> providers,
            ObjectProvider<dev.wanhybrid.gateway.backend.VideoBackendGroup> groups, JobStore jobs, SpendLedger ledger,
            Clock clock, Environment environment) {
        Binder binder = Binder.get(environment);
        Duration interval = binder.bind("gateway.billing.reconcile-interval", Duration.class)
                .orElse(Duration.ofMinutes(5));
        Duration orphanAfter = binder.bind("gateway.billing.orphan-after", Duration.class)
                .orElse(Duration.ofMinutes(2));
        boolean enabled = binder.bind("gateway.billing.enabled", Boolean.class).orElse(true);
        // The single backends' records, and those of list-configured backends that keep them (further cloud sources).
        java.util.List<BillingRecords> all = new java.util.ArrayList<>(providers.orderedStream().toList());
        groups.orderedStream().flatMap(g -> g.backends().stream()).filter(BillingRecords.class::isInstance)
                .map(BillingRecords.class::cast).forEach(all::add);
        return new BillingReconciler(enabled ? all : java.util.List.of(), jobs, ledger, clock, interval, orphanAfter);
    }
}
