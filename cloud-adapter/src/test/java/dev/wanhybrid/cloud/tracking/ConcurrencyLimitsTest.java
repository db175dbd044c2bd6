package dev.wanhybrid.cloud.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.catalog.ModelCatalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitsTest {

    private final ConcurrencyLimits limits = ConcurrencyLimits.fromCatalog(ModelCatalog.load(), Map.of());

    @Test
    void theCatalogGivesFiveToWan26AndTwoToWan21() {
        assertThat(limits.limit("wan2.6-t2v")).isEqualTo(5);
        assertThat(limits.limit("wan2.5-i2v-preview")).isEqualTo(5);
        assertThat(limits.limit("wan2.1-t2v-turbo")).isEqualTo(2);
        assertThat(limits.limit("wan2.2-t2v-plus")).isEqualTo(2);
    }

    @Test
    void aPermitIsHeldOncePerHolderAndReleasedOnce() {
        assertThat(limits.tryAcquire("wan2.1-t2v-turbo", "job-1")).isTrue();
        assertThat(limits.tryAcquire("wan2.1-t2v-turbo", "job-1")).isTrue();
        assertThat(limits.tryAcquire("wan2.1-t2v-turbo", "job-2")).isTrue();
        assertThat(limits.tryAcquire("wan2.1-t2v-turbo", "job-3")).isFalse();

        limits.rename("job-1", "task-1");
        assertThat(limits.release("task-1")).isTrue();
        assertThat(limits.release("task-1")).isFalse();
        assertThat(limits.inFlight("wan2.1-t2v-turbo")).isEqualTo(1);
        assertThat(limits.tryAcquire("wan2.1-t2v-turbo", "job-3")).isTrue();
    }

    @Test
    void adoptedTasksCountEvenBeyondTheLimit() {
        for (int i = 0; i < 3; i++) {
            limits.adopt("wan2.1-t2v-turbo", "resumed-" + i);
        }
        assertThat(limits.inFlight("wan2.1-t2v-turbo")).isEqualTo(3);
        assertThat(limits.tryAcquire("wan2.1-t2v-turbo", "new")).isFalse();
    }
}
