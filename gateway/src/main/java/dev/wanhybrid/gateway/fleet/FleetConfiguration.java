package dev.wanhybrid.gateway.fleet;

import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.backend.LocalCapacity;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.local.LocalBackend;
import dev.wanhybrid.gateway.backend.local.LocalProperties;
import dev.wanhybrid.gateway.jobs.ClaimRoom;
import dev.wanhybrid.gateway.jobs.JobDispatcher;
import dev.wanhybrid.gateway.jobs.JobQueries;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Cluster mode ({@code gateway.role=api|worker}): worker heartbeats, the shared local view the router and the
 * local queue gauges read, and the worker's claim limit. With the default role {@code standalone} the beans exist
 * but stay out of the way, so a single machine behaves as before.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(FleetProperties.class)
class FleetConfiguration {

    private static final Logger log = LoggerFactory.getLogger(FleetConfiguration.class);

    static final String QUEUE_DEPTH = "gateway.local.queue.depth";
    static final String WORKERS_READY = "gateway.local.workers.ready";

    @Bean
    GatewayRole gatewayRole(Environment environment) {
        return Binder.get(environment).bind("gateway.role", GatewayRole.class).orElse(GatewayRole.STANDALONE);
    }

    @Bean
    HeartbeatStore heartbeatStore(JdbcClient jdbc) {
        return new HeartbeatStore(jdbc);
    }

    @Bean
    LocalFleet localFleet(GatewayRole role, HeartbeatStore store, JobQueries jobs, FleetProperties properties,
            LocalProperties config, LocalBackend local, ObjectProvider<Clock> clock) {
        return new LocalFleet(role, store, jobs, properties, config.defaultServiceTime(),
                clock.getIfAvailable(Clock::systemUTC), local);
    }

    /**
     * The local capacity routing and the API read: the fleet in cluster mode, this process's own engines on a single
     * machine. Primary, since the local backend and the fleet are each a {@link LocalCapacity} too.
     */
    @Bean
    @Primary
    LocalCapacity localCapacity(LocalBackend local, LocalFleet fleet) {
        return fleet.active() ? fleet : local;
    }

    @Bean
    FleetHeartbeat fleetHeartbeat(GatewayRole role, LocalBackend local, HeartbeatStore store,
            FleetProperties properties, ObjectProvider<JobDispatcher> dispatcher, ObjectProvider<Clock> clock) {
        FleetHeartbeat heartbeat = new FleetHeartbeat(local, store, properties, () -> dispatcher.getObject().owner(),
                clock.getIfAvailable(Clock::systemUTC));
        return role.sharesLocalState() ? heartbeat : null;
    }

    /**
     * {@code /actuator/health/localFleet} on an API replica or worker: the local backend as the cluster sees it (live
     * workers, the models they serve, the shared queue). An API replica's own {@code backends/local} contributor only
     * knows that this pod has no weights, which is expected there; this one tells operators whether work can run.
     */
    @Bean
    @ConditionalOnExpression("!'${gateway.role:standalone}'.equalsIgnoreCase('standalone')")
    HealthIndicator localFleetHealthIndicator(LocalFleet fleet) {
        return () -> {
            LocalFleet workers = fleet.workersOnly();
            LocalCapacity.Snapshot snapshot = workers.snapshot();
            BackendReadiness view = snapshot.readiness();
            LocalQueueState queue = snapshot.queue();
            return (view.ready() ? Health.up() : Health.unknown())
                    .withDetail("ready", view.ready())
                    .withDetail("detail", view.detail())
                    .withDetail("liveWorkerInstances", workers.liveWorkers().size())
                    .withDetail("models", snapshot.servedModels())
                    .withDetail("queued", queue.queued())
                    .withDetail("running", queue.running())
                    .withDetail("capacity", queue.capacity())
                    .build();
        };
    }

    /** A worker claims local jobs only up to its local capacity (queued plus running tasks) minus what it holds. */
    @Bean
    ClaimRoom localClaimRoom(GatewayRole role, LocalBackend local, JobQueries jobs) {
        if (!role.sharesLocalState()) {
            return ClaimRoom.UNLIMITED;
        }
        return new LocalClaimRoom(() -> local.queue().capacity(), jobs);
    }

    /**
     * In a cluster the local queue gauges describe the fleet: KEDA scales workers on the depth and an alert fires
     * on zero ready workers, neither of which one API replica's empty in-process queue can tell. The local
     * backend registers the in-process gauges when it is built; they are replaced here under the same names.
     */
    @Bean
    Object fleetGauges(GatewayRole role, LocalBackend local, LocalFleet fleet, MeterRegistry meters) {
        if (!role.sharesLocalState()) {
            return new Object();
        }
        meters.find(QUEUE_DEPTH).gauges().forEach(meters::remove);
        meters.find(WORKERS_READY).gauges().forEach(meters::remove);
        Gauge.builder(QUEUE_DEPTH, fleet, f -> read(() -> f.snapshot().queue().queued()))
                .description("Local tasks waiting for a worker, across the fleet").register(meters);
        Gauge.builder(WORKERS_READY, fleet, f -> read(() -> f.liveWorkers().stream()
                        .mapToInt(Heartbeat::readyWorkers).sum()))
                .description("Local workers with a loaded engine, able to take a task, across the fleet")
                .register(meters);
        return new Object();
    }

    private static double read(java.util.function.IntSupplier value) {
        try {
            return value.getAsInt();
        } catch (RuntimeException e) {
            // A scrape during shutdown or a database outage: no value rather than a failed scrape.
            log.debug("fleet gauge unreadable: {}", e.toString());
            return Double.NaN;
        }
    }
}
