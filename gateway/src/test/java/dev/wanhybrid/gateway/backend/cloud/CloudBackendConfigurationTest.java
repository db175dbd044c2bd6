package dev.wanhybrid.gateway.backend.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.demo.DemoConfigurations;
import dev.wanhybrid.gateway.limits.RateLimitStore;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class CloudBackendConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withBean(Clock.class, Clock::systemUTC)
            .withBean(RateLimitStore.class, RateLimitStore::memory)
            .withUserConfiguration(CloudBackendConfiguration.class, DemoConfigurations.SIMULATOR);

    @Test
    void limitsStayInTheProcessUnlessTheStoreIsShared() {
        runner.run(context -> assertThat(context.getBean(CloudLimits.class)).isSameAs(CloudLimits.IN_PROCESS));
    }

    @Test
    void withoutAKeyTheBackendExistsButIsNotReady() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(CloudBackend.class).doesNotHaveBean(DashScopeSimulator.class);
            assertThat(context.getBean(CloudBackend.class).readiness().detail())
                    .isEqualTo(CloudBackendConfiguration.NO_KEY);
        });
    }

    @Test
    void theSimulatorSwitchStartsItInProcessAndPointsTheBackendAtIt() {
        runner.withPropertyValues("gateway.cloud.simulator.enabled=true").run(context -> {
            DashScopeSimulator simulator = context.getBean(DashScopeSimulator.class);
            CloudBackend backend = context.getBean(CloudBackend.class);
            assertThat(backend.readiness().ready()).isTrue();
            assertThat(backend.readiness().detail()).contains(simulator.baseUrl().toString())
                    .doesNotContain("sk-simulator");
        });
    }

    @Test
    void simulatorFaultsComeFromConfiguration() {
        runner.withPropertyValues("gateway.cloud.simulator.enabled=true",
                "gateway.cloud.simulator.faults.throttle=true").run(context -> {
                    CloudBackend backend = context.getBean(CloudBackend.class);
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> backend.poll("any"))
                            .isInstanceOfSatisfying(dev.wanhybrid.gateway.backend.BackendException.class,
                                    e -> assertThat(e.kind())
                                            .isEqualTo(dev.wanhybrid.gateway.backend.BackendException.Kind.THROTTLED));
                });
    }

    @Test
    void theBackendCanBeSwitchedOff() {
        runner.withPropertyValues("gateway.cloud.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(CloudBackend.class));
    }

    @Test
    void anUnknownRegionFailsStartUpNamingTheValue() {
        runner.withPropertyValues("gateway.cloud.api-key=sk-x", "gateway.cloud.region=mars")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("'mars'"));
    }
}
