package dev.wanhybrid.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cloud.internal.Wire;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WireAndValuesTest {

    @Test
    void everyFamilysUsageShapeGivesBilledSeconds() {
        assertThat(usage("{\"duration\":10,\"size\":\"1280*720\",\"input_video_duration\":3,"
                + "\"output_video_duration\":10,\"video_count\":1,\"SR\":720,\"audio\":false}")).satisfies(u -> {
                    assertThat(u.billedSeconds()).isEqualByComparingTo("10");
                    assertThat(u.totalBilledSeconds()).isEqualByComparingTo("13");
                    assertThat(u.sr()).isEqualTo(720);
                    assertThat(u.audio()).isFalse();
                });
        assertThat(usage("{\"video_duration\":5,\"video_ratio\":\"832*480\",\"video_count\":1}").billedSeconds())
                .isEqualByComparingTo("5");
        assertThat(usage("{\"duration\":5,\"SR\":480,\"video_count\":1}").sr()).isEqualTo(480);
        assertThat(usage("{\"video_duration\":\"5\",\"video_ratio\":\"standard\",\"video_count\":1}"))
                .satisfies(u -> {
                    assertThat(u.billedSeconds()).isEqualByComparingTo("5");
                    assertThat(u.size()).isEqualTo("standard");
                });
        assertThat(usage("{\"duration\":5.5,\"unexpected\":{\"x\":1}}").billedSeconds()).isEqualByComparingTo("5.5");
    }

    @Test
    void aFailedTaskAnsweredWithHttp200IsAFailure() {
        TaskView v = Wire.readTask(Wire.JSON.readTree("{\"request_id\":\"r\",\"output\":{\"task_id\":\"t\","
                + "\"task_status\":\"FAILED\",\"code\":\"InternalError.Algo\",\"message\":\"boom\"}}"));
        assertThat(v.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(v.failureCategory()).isEqualTo(ErrorCategory.RETRYABLE);
    }

    @Test
    void zonelessTimesAreUtcPlusEight() {
        assertThat(DashScopeTimes.parse("2025-09-25 15:30:00.123")).isEqualTo(Instant.parse("2025-09-25T07:30:00.123Z"));
        assertThat(DashScopeTimes.parse("2025-09-25 15:30:00")).isEqualTo(Instant.parse("2025-09-25T07:30:00Z"));
        assertThat(DashScopeTimes.parse("2025-09-25T15:30:00+00:00")).isEqualTo(Instant.parse("2025-09-25T15:30:00Z"));
        assertThat(DashScopeTimes.format(Instant.parse("2025-09-25T07:30:00.123Z"))).isEqualTo("2025-09-25 15:30:00.123");
    }

    @Test
    void anApiKeyNeverPrints() {
        ApiKey key = ApiKey.of("sk-0123456789abcdef");
        assertThat(key.toString()).isEqualTo("sk-****cdef").doesNotContain("0123456789");
        assertThat(key.matches("sk-0123456789abcdef")).isTrue();
        assertThatThrownBy(() -> ApiKey.of(" ")).hasMessageContaining("blank");
    }

    @Test
    void errorCodesMapToCategories() {
        assertThat(ErrorCategory.of(400, "InvalidParameter")).isEqualTo(ErrorCategory.INVALID_INPUT);
        assertThat(ErrorCategory.of(400, "DataInspectionFailed")).isEqualTo(ErrorCategory.CONTENT_POLICY);
        assertThat(ErrorCategory.of(400, "Arrearage")).isEqualTo(ErrorCategory.AUTH);
        assertThat(ErrorCategory.of(401, "InvalidApiKey")).isEqualTo(ErrorCategory.AUTH);
        assertThat(ErrorCategory.of(403, "AccessDenied.Unpurchased")).isEqualTo(ErrorCategory.AUTH);
        assertThat(ErrorCategory.of(429, "Throttling.AllocationQuota")).isEqualTo(ErrorCategory.THROTTLED);
        assertThat(ErrorCategory.of(500, "InternalError.Timeout")).isEqualTo(ErrorCategory.RETRYABLE);
        assertThat(ErrorCategory.of(503, "ModelUnavailable")).isEqualTo(ErrorCategory.RETRYABLE);
        assertThat(ErrorCategory.of(418, "Teapot")).isEqualTo(ErrorCategory.UNKNOWN);
    }

    @Test
    void regionsParseFromTheirCommonNames() {
        assertThat(Region.parse("intl")).isEqualTo(Region.INTERNATIONAL);
        assertThat(Region.parse("cn-beijing")).isEqualTo(Region.MAINLAND);
        assertThatThrownBy(() -> Region.parse("mars")).hasMessageContaining("'mars'");
    }

    private static Usage usage(String json) {
        return Wire.readUsage(Wire.JSON.readTree(json));
    }
}
