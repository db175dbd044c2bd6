package dev.wanhybrid.gateway.ops;

import dev.wanhybrid.gateway.tenant.TenantProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Puts the admin credential in front of the ops page and its chart. */
@Configuration(proxyBeanMethods = false)
class OpsConfiguration {

    @Bean
    FilterRegistrationBean<OpsCredentialFilter> opsCredentialFilter(TenantProperties properties) {
        FilterRegistrationBean<OpsCredentialFilter> registration =
                new FilterRegistrationBean<>(new OpsCredentialFilter(properties.admin().tokenSha256()));
        registration.addUrlPatterns("/ops", "/ops/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 40);
        return registration;
    }
}
