package dev.wanhybrid.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EngineOptionsTest {

    @Test
    void presetsFollowTheOfficialSettings() {
        assertThat(EngineOptions.cpu().dtype()).isEqualTo("fp32");
        assertThat(EngineOptions.cuda().dtype()).isEqualTo("bf16");
        assertThat(EngineOptions.cuda().device()).isEqualTo("cuda:0");
        assertThat(EngineOptions.cpu().shift()).isEqualTo(5.0);
        assertThat(EngineOptions.cpu().textLength()).isEqualTo(512);
        EngineRequest defaults = EngineRequest.officialDefaults("p", 1);
        assertThat(defaults.width()).isEqualTo(832);
        assertThat(defaults.height()).isEqualTo(480);
        assertThat(defaults.frames()).isEqualTo(81);
        assertThat(defaults.steps()).isEqualTo(50);
        assertThat(defaults.guidanceScale()).isEqualTo(5.0);
    }

    @Test
    void badValuesAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> EngineOptions.cpu().withDevice("tpu")).hasMessageContaining("tpu");
        assertThatThrownBy(() -> EngineOptions.cpu().withDtype("int8")).hasMessageContaining("int8");
        assertThatThrownBy(() -> EngineOptions.cpu().withShift(0)).hasMessageContaining("shift");
        assertThatThrownBy(() -> EngineOptions.cpu().withThreads(-1)).hasMessageContaining("-1");
        assertThat(EngineOptions.cpu().withDevice("cuda:1").device()).isEqualTo("cuda:1");
    }
}
