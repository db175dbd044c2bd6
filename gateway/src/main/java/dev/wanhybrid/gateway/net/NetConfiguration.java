package dev.wanhybrid.gateway.net;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The SSRF guard, the guarded fetcher, and the URL policy the API checks request URLs with. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NetProperties.class)
class NetConfiguration {

    @Bean
    @ConditionalOnMissingBean
    HostResolver hostResolver() {
        return HostResolver.SYSTEM;
    }

    @Bean
    @ConditionalOnMissingBean
    UrlGuard urlGuard(NetProperties properties, HostResolver resolver) {
        return new UrlGuard(properties, resolver);
    }

    @Bean
    @ConditionalOnMissingBean
    SafeHttpFetcher safeHttpFetcher(UrlGuard guard, NetProperties properties) {
        return new SafeHttpFetcher(guard, properties);
    }

    @Bean
    @ConditionalOnMissingBean
    InputUrlPolicy inputUrlPolicy(UrlGuard guard) {
        return guard::rejection;
    }
}
