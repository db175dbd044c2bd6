package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code gateway.local} as Spring binds it: checkpoints every 10 minutes unless set; 0 turns them off. */
class LocalPropertiesBindingTest {

    private static LocalProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("gateway.local",
                LocalProperties.class);
    }

    @Test
    void checkpointsDefaultToTenMinutesAndZeroTurnsThemOff() {
        assertThat(bind(Map.of()).checkpointEvery()).isEqualTo(Duration.ofMinutes(10));
        assertThat(bind(Map.of("gateway.local.checkpoint-every", "90s")).checkpointEvery())
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(bind(Map.of("gateway.local.checkpoint-every", "0")).checkpointEvery()).isZero();
        assertThatThrownBy(() -> bind(Map.of("gateway.local.checkpoint-every", "-1m")))
                .hasStackTraceContaining("gateway.local.checkpoint-every must not be negative");
    }
}
