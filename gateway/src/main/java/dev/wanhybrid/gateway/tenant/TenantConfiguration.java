package dev.wanhybrid.gateway.tenant;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Registers the API-key filter on {@code /v1/*} and the admin filter on the actuator. */
@Configuration(proxyBeanMethods = false)
class TenantConfiguration {

    @Bean
    FilterRegistrationBean<ApiKeyAuthenticationFilter> apiKeyAuthenticationFilter(TenantDirectory tenants,
            TenantProperties properties) {
        FilterRegistrationBean<ApiKeyAuthenticationFilter> registration =
                new FilterRegistrationBean<>(new ApiKeyAuthenticationFilter(tenants,
                        properties.admin().tokenSha256()));
        registration.addUrlPatterns("/v1/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 50);
        return registration;
    }

    @Bean
    FilterRegistrationBean<AdminCredentialFilter> adminCredentialFilter(TenantProperties properties,
            @Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
        FilterRegistrationBean<AdminCredentialFilter> registration =
                new FilterRegistrationBean<>(new AdminCredentialFilter(basePath, properties.admin().tokenSha256(),
                        properties.admin().scrapeTokenSha256()));
        registration.addUrlPatterns(basePath + "/*", basePath);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 40);
        return registration;
    }
}
