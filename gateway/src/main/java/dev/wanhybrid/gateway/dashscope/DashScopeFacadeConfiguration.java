package dev.wanhybrid.gateway.dashscope;

import dev.wanhybrid.gateway.tenant.TenantDirectory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers tenant authentication, in DashScope's error shape, on the DashScope-compatible routes. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DashScopeFacadeProperties.class)
class DashScopeFacadeConfiguration {

    @Bean
    FilterRegistrationBean<DashScopeAuthenticationFilter> dashScopeAuthenticationFilter(TenantDirectory tenants) {
        FilterRegistrationBean<DashScopeAuthenticationFilter> registration =
                new FilterRegistrationBean<>(new DashScopeAuthenticationFilter(tenants));
        registration.addUrlPatterns("/api/v1/*");
        return registration;
    }
}
