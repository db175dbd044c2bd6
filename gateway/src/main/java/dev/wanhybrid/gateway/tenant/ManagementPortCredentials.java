package dev.wanhybrid.gateway.tenant;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.Ordered;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The admin filter on a separate management port ({@code management.server.port}, as the Helm chart sets): that
 * port is its own server in a child context, where the main context's filters do not run. The same rules apply,
 * except that {@code prometheus} stays open there for the in-cluster scraper; health details still need the admin
 * token, and every other endpoint ({@code env}, {@code loggers}, ...) the admin token.
 *
 * <p>Loaded into the child context through
 * {@code META-INF/spring/...ManagementContextConfiguration.imports}; component scanning of the main context also
 * sees it, and {@link OnlyInChildContext} keeps it out there.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@Conditional(ManagementPortCredentials.OnlyInChildContext.class)
public class ManagementPortCredentials {

    @Bean
    FilterRegistrationBean<AdminCredentialFilter> managementPortCredentialFilter(TenantProperties properties,
            @Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
        FilterRegistrationBean<AdminCredentialFilter> registration = new FilterRegistrationBean<>(
                new AdminCredentialFilter(basePath, properties.admin().tokenSha256(),
                        properties.admin().scrapeTokenSha256(), true));
        registration.addUrlPatterns(basePath + "/*", basePath);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 40);
        return registration;
    }

    /** True only in a context that has a parent: the management child, never the application itself. */
    static class OnlyInChildContext implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return context.getBeanFactory() != null && context.getBeanFactory().getParentBeanFactory() != null;
        }
    }
}
