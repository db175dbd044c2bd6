package dev.wanhybrid.gateway.database;

import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Puts {@link H2GroupCommit} in front of the application's data source when it is an embedded H2 file
 * ({@code gateway.store.h2-group-commit}, default on; every other database is left as it is).
 */
@Configuration(proxyBeanMethods = false)
class H2GroupCommitConfiguration {

    private static final Logger log = LoggerFactory.getLogger(H2GroupCommitConfiguration.class);
    /**
     * Default least time between two shared writes: none, a write starts as soon as the previous one is done, and
     * the commits that arrived during it share it. With compressed pages (the shipped URL's {@code COMPRESS=TRUE})
     * the file stays within the footprint budget without a pause between writes, and a submit waits for one write
     * instead of up to 20 ms (docs/benchmarks/store-footprint.md, docs/benchmarks/submit.md).
     */
    static final Duration DEFAULT_INTERVAL = Duration.ZERO;

    @Bean
    static BeanPostProcessor h2GroupCommitDataSource(Environment environment) {
        Binder binder = Binder.get(environment);
        boolean enabled = binder.bind("gateway.store.h2-group-commit", Boolean.class).orElse(true);
        Duration interval = binder.bind("gateway.store.h2-group-commit-interval", Duration.class)
                .orElse(DEFAULT_INTERVAL);
        if (interval.isNegative()) {
            throw new IllegalArgumentException(
                    "gateway.store.h2-group-commit-interval must not be negative: " + interval);
        }
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (!enabled || !(bean instanceof DataSource dataSource) || bean instanceof GroupCommitDataSource) {
                    return bean;
                }
                DataSource wrapped = GroupCommitDataSource.over(dataSource, interval);
                if (wrapped != dataSource) {
                    log.info("H2 group commit on {}: commits wait for a shared write, at most one every {}",
                            beanName, interval);
                }
                return wrapped;
            }
        };
    }
}
