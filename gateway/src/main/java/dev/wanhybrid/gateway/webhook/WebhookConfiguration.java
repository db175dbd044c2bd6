package dev.wanhybrid.gateway.webhook;

import dev.wanhybrid.gateway.jobs.JobEventSignal;
import dev.wanhybrid.gateway.jobs.JobQueries;
import dev.wanhybrid.gateway.net.SafeHttpFetcher;
import dev.wanhybrid.gateway.tenant.TenantProperties;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The webhook outbox and its sender. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhookProperties.class)
class WebhookConfiguration {

    /**
     * Each tenant's secret is read from the property or environment variable its {@code webhook-secret-ref}
     * names, so the secret itself never sits in the tenant list.
     */
    @Bean
    @ConditionalOnMissingBean
    WebhookSecrets webhookSecrets(ObjectProvider<TenantProperties> tenants, Environment environment) {
        return tenant -> {
            TenantProperties properties = tenants.getIfAvailable();
            if (properties == null) {
                return Optional.empty();
            }
            return properties.tenants().stream()
                    .filter(t -> t.id().equals(tenant) && t.webhookSecretRef() != null
                            && !t.webhookSecretRef().isBlank())
                    .findFirst()
                    .map(t -> environment.getProperty(t.webhookSecretRef()))
                    .filter(s -> !s.isBlank());
        };
    }

    @Bean
    WebhookOutbox webhookOutbox(DataSource dataSource, JobQueries jobs) {
        return new WebhookOutbox(dataSource, jobs);
    }

    @Bean
    WebhookSender webhookSender(WebhookOutbox outbox, SafeHttpFetcher fetcher, WebhookSecrets secrets,
            WebhookProperties properties, ObjectProvider<Clock> clock, JobEventSignal signal) {
        WebhookSender sender = new WebhookSender(outbox, fetcher, secrets, properties,
                clock.getIfAvailable(Clock::systemUTC));
        // A committed event of a job with a webhook wakes the sender: delivery follows the transition, the poll
        // only catches other instances' events and retries. Events of jobs without one wait for the poll.
        signal.listen(job -> {
            if (job.spec().webhookUrl() != null) {
                sender.wake();
            }
        });
        return sender;
    }
}
