package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.backend.BackendRegistry;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.backend.VideoBackend;
import dev.wanhybrid.gateway.backend.local.TestVideoEngine;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.BudgetStatus;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.springboot.bulkhead.autoconfigure.BulkheadAutoConfiguration;
import io.github.resilience4j.springboot.bulkhead.autoconfigure.BulkheadMetricsAutoConfiguration;
import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerMetricsAutoConfiguration;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration;
import io.github.resilience4j.springboot.timelimiter.autoconfigure.TimeLimiterAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;

/**
 * The routing, backend and health wiring in a Spring context with the shipped configuration: forcing a breaker
 * open produces the documented fallback, visible in the route, the metrics and health.
 */
class BreakerFallbackTest {

    private static final GenerationSpec SILENT_480P_FAST = new GenerationSpec("acme", "auto", TaskKind.T2V,
            "a cat surfing", null, new VideoSize(832, 480), 5, null, null, AudioSpec.NONE, null,
            new RoutingHints(null, RoutingHints.Objective.LATENCY, null, null, false));
    private static final GenerationSpec SILENT_480P = new GenerationSpec("acme", "auto", TaskKind.T2V,
            "a cat surfing", null, new VideoSize(832, 480), 5, null, null, AudioSpec.NONE, null, RoutingHints.NONE);
    private static final GenerationSpec WITH_SOUND = new GenerationSpec("acme", "auto", TaskKind.T2V,
            "a cat surfing", null, new VideoSize(1280, 720), 5, null, null, AudioSpec.GENERATED, null,
            RoutingHints.NONE);

    @Configuration(proxyBeanMethods = false)
    @ComponentScan(basePackageClasses = {ModelCatalog.class, Router.class, BackendRegistry.class},
            excludeFilters = @ComponentScan.Filter(type = FilterType.REGEX,
                    pattern = {"dev\\.wanhybrid\\.gateway\\.backend\\.cloud\\..*", ".*Test.*", ".*IT.*"}))
    static class Wiring {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        CloudStandIn cloudBackend() {
            return new CloudStandIn();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class LocalWeights {

        @Bean
        TestVideoEngine engine() {
            return TestVideoEngine.free("wan2.1-t2v-1.3b");
        }
    }

    /** Stands in for the DashScope backend (which is the cloud teammate's); counts submissions. */
    static final class CloudStandIn implements VideoBackend {
        final AtomicInteger submits = new AtomicInteger();

        @Override
        public String id() {
            return "cloud";
        }

        @Override
        public BackendReadiness readiness() {
            return BackendReadiness.ready("stand-in cloud");
        }

        @Override
        public String submit(BackendTask task) {
            return "cloud-task-" + submits.incrementAndGet();
        }

        @Override
        public TaskSnapshot poll(String taskId) {
            return new TaskSnapshot(taskId, TaskSnapshot.State.RUNNING, 10, null, null, null, null, null);
        }

        @Override
        public void cancel(String taskId) {}

        @Override
        public InputStream openResult(TaskSnapshot snapshot) {
            return InputStream.nullInputStream();
        }

        @Override
        public Optional<String> reconcile(BackendTask task) {
            return Optional.empty();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
                    CircuitBreakerAutoConfiguration.class, CircuitBreakerMetricsAutoConfiguration.class,
                    RetryAutoConfiguration.class, TimeLimiterAutoConfiguration.class, BulkheadAutoConfiguration.class,
                    BulkheadMetricsAutoConfiguration.class))
            .withUserConfiguration(Wiring.class);

    private static double counter(AssertableApplicationContext ctx, String name, String... tags) {
        var counter = ctx.getBean(MeterRegistry.class).find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Health health(AssertableApplicationContext ctx, String backend) {
        CompositeHealthContributor backends = ctx.getBean("backendsHealthContributor", CompositeHealthContributor.class);
        return ((HealthIndicator) backends.getContributor(backend)).health(true);
    }

    @Test
    void forcedOpenCloudBreakerSendsSilentWorkLocalAndShowsItEverywhere() {
        runner.withUserConfiguration(LocalWeights.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            RoutePlanner planner = ctx.getBean(RoutePlanner.class);
            assertThat(planner.plan(SILENT_480P_FAST).chosen().backend()).isEqualTo("cloud");

            ctx.getBean(CircuitBreakerRegistry.class).circuitBreaker("cloud").transitionToForcedOpenState();
            Route route = planner.plan(SILENT_480P_FAST);

            assertThat(route.chosen().backend()).isEqualTo("local");
            assertThat(route.reason()).isEqualTo("cloud_unavailable");
            assertThat(route.rejected()).anySatisfy(r -> {
                assertThat(r.backend()).isEqualTo("cloud");
                assertThat(r.reason()).isEqualTo("breaker_open");
            });
            assertThat(counter(ctx, "gateway.routing.fallbacks", "from", "cloud", "to", "local", "reason",
                    "cloud_unavailable")).isEqualTo(1.0);
            assertThat(counter(ctx, "gateway.routing.decisions", "backend", "local", "reason", "cloud_unavailable"))
                    .isEqualTo(1.0);
            assertThat(counter(ctx, "gateway.routing.decisions", "backend", "cloud", "reason", "fastest"))
                    .isEqualTo(1.0);

            VideoBackend cloud = ctx.getBean(BackendRegistry.class).find("cloud").orElseThrow();
            BackendException refused = catchThrowableOfType(BackendException.class, () -> cloud.submit(
                    new BackendTask("video_1", "wan2.2-t2v-plus", SILENT_480P)));
            assertThat(refused.kind()).isEqualTo(BackendException.Kind.REFUSED);
            assertThat(ctx.getBean(CloudStandIn.class).submits).hasValue(0);

            Health cloudHealth = health(ctx, "cloud");
            assertThat(cloudHealth.getStatus()).isEqualTo(Status.UNKNOWN);
            assertThat(cloudHealth.getDetails()).containsEntry("breaker", "FORCED_OPEN").containsEntry("ready", true);
            assertThat(ctx.getBean(MeterRegistry.class).find("resilience4j.circuitbreaker.state")
                    .tags("name", "cloud", "state", "forced_open").gauge().value()).isEqualTo(1.0);
        });
    }

    @Test
    void shippedResilienceInstancesCarryTheBackendRules() {
        runner.withUserConfiguration(LocalWeights.class).run(ctx -> {
            var retries = ctx.getBean(io.github.resilience4j.retry.RetryRegistry.class);
            var unavailable = new BackendException(BackendException.Kind.UNAVAILABLE, "InternalError", "500");
            var invalid = new BackendException(BackendException.Kind.INVALID_INPUT, "InvalidParameter", "bad");
            var submit = retries.retry("cloud-submit").getRetryConfig();
            assertThat(submit.getExceptionPredicate().test(unavailable)).isTrue();
            assertThat(submit.getExceptionPredicate().test(new java.util.concurrent.TimeoutException()))
                    .as("a submission that timed out is never repeated").isFalse();
            assertThat(submit.getMaxAttempts()).isEqualTo(3);
            assertThat(retries.retry("cloud").getRetryConfig().getExceptionPredicate()
                    .test(new java.util.concurrent.TimeoutException())).isTrue();
            assertThat(retries.retry("local-submit").getRetryConfig().getMaxAttempts()).isEqualTo(1);
            var breaker = ctx.getBean(CircuitBreakerRegistry.class).circuitBreaker("cloud").getCircuitBreakerConfig();
            assertThat(breaker.getIgnoreExceptionPredicate().test(invalid)).isTrue();
            assertThat(breaker.getIgnoreExceptionPredicate().test(unavailable)).isFalse();
            assertThat(breaker.getMinimumNumberOfCalls()).isEqualTo(5);
            assertThat(ctx.getBean(io.github.resilience4j.bulkhead.BulkheadRegistry.class).bulkhead("local")
                    .getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(16);
        });
    }

    @Test
    void forcedOpenLocalBreakerSendsWorkToTheCloud() {
        runner.withUserConfiguration(LocalWeights.class).run(ctx -> {
            RoutePlanner planner = ctx.getBean(RoutePlanner.class);
            assertThat(planner.plan(SILENT_480P).chosen().backend()).isEqualTo("local");

            ctx.getBean(CircuitBreakerRegistry.class).circuitBreaker("local").transitionToForcedOpenState();
            Route route = planner.plan(SILENT_480P);

            assertThat(route.chosen().backend()).isEqualTo("cloud");
            assertThat(route.reason()).isEqualTo("local_unavailable");
            assertThat(counter(ctx, "gateway.routing.fallbacks", "from", "local", "to", "cloud", "reason",
                    "local_unavailable")).isEqualTo(1.0);
        });
    }

    @Test
    void soundWithTheCloudForcedOpenIsA503CountedAsNoRoute() {
        runner.withUserConfiguration(LocalWeights.class).run(ctx -> {
            ctx.getBean(CircuitBreakerRegistry.class).circuitBreaker("cloud").transitionToForcedOpenState();

            NoRouteException e = catchThrowableOfType(NoRouteException.class,
                    () -> ctx.getBean(RoutePlanner.class).plan(WITH_SOUND));

            assertThat(e.httpStatus()).isEqualTo(503);
            assertThat(counter(ctx, "gateway.routing.decisions", "backend", "none", "reason", "backend_unavailable"))
                    .isEqualTo(1.0);
        });
    }

    @Test
    void withoutLocalWeightsHealthSaysHowToProvideThemAndWorkGoesToTheCloud() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Health local = health(ctx, "local");
            assertThat(local.getStatus()).isEqualTo(Status.UNKNOWN);
            assertThat(local.getDetails()).containsEntry("ready", false).containsEntry("detail",
                    "no local weights: set gateway.local.model-path to a Wan2.1-T2V-1.3B-Diffusers folder");
            assertThat(health(ctx, "cloud").getStatus()).isEqualTo(Status.UP);

            Route route = ctx.getBean(RoutePlanner.class).plan(SILENT_480P);
            assertThat(route.chosen().backend()).isEqualTo("cloud");
            assertThat(route.reason()).isEqualTo("local_unavailable");
            assertThat(ctx.getBean(MeterRegistry.class).get("gateway.local.workers.ready").gauge().value()).isZero();
        });
    }

    @Test
    void exhaustedCloudBudgetFromTheSpendLedgerIsPaymentRequiredForSound() {
        BudgetCaps caps = new BudgetCaps() {
            @Override
            public Optional<BigDecimal> headroomUsd(String tenant, String backend) {
                return Optional.ofNullable(Map.of("cloud", new BigDecimal("0.10")).get(backend));
            }

            @Override
            public List<BudgetStatus> statusFor(String tenant) {
                return List.of();
            }

            @Override
            public List<BudgetStatus> allStatus() {
                return List.of();
            }

            @Override
            public void putCap(BudgetCap cap) {}

            @Override
            public boolean removeCap(BudgetScope scope, String tenant, BudgetPeriod period) {
                return false;
            }
        };
        runner.withUserConfiguration(LocalWeights.class).withBean(BudgetCaps.class, () -> caps).run(ctx -> {
            NoRouteException e = catchThrowableOfType(NoRouteException.class,
                    () -> ctx.getBean(RoutePlanner.class).plan(WITH_SOUND));

            assertThat(e.httpStatus()).isEqualTo(402);
            assertThat(ctx.getBean(RoutePlanner.class).plan(SILENT_480P_FAST).reason()).isEqualTo("budget");
        });
    }
}
