package dev.wanhybrid.gateway.config;

import java.time.Clock;
import dev.wanhybrid.gateway.api.ApiProperties;
import dev.wanhybrid.gateway.api.CharacterProperties;
import dev.wanhybrid.gateway.api.SourceLinkProperties;
import dev.wanhybrid.gateway.jobs.BudgetQueueProperties;
import dev.wanhybrid.gateway.jobs.FallbackProperties;
import dev.wanhybrid.gateway.jobs.JobProperties;
import dev.wanhybrid.gateway.tenant.TenantProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Cross-cutting beans: the clock everything reads time from, and the API, job and tenant properties. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ApiProperties.class, CharacterProperties.class, SourceLinkProperties.class,
    JobProperties.class, FallbackProperties.class, BudgetQueueProperties.class, TenantProperties.class})
class GatewayConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
