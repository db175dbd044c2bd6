package dev.wanhybrid.gateway.config;

import dev.wanhybrid.gateway.backend.BackendRegistry;
import dev.wanhybrid.gateway.backend.VideoBackend;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import dev.wanhybrid.gateway.api.ApiProperties;
import dev.wanhybrid.gateway.jobs.JobProperties;
import dev.wanhybrid.gateway.tenant.TenantProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Cross-cutting beans: the clock everything reads time from, and an empty backend registry as a last resort. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ApiProperties.class, JobProperties.class, TenantProperties.class})
class GatewayConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Only when the routing package provides none: the API still answers, and routing reports no backends. */
    @Bean
    @ConditionalOnMissingBean(BackendRegistry.class)
    BackendRegistry emptyBackendRegistry() {
        return new BackendRegistry() {
            @Override
            public Optional<VideoBackend> find(String backendId) {
                return Optional.empty();
            }

            @Override
            public List<VideoBackend> all() {
                return List.of();
            }
        };
    }
}
