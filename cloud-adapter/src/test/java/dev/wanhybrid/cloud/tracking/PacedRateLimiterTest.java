package dev.wanhybrid.cloud.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PacedRateLimiterTest {

    @Test
    void noOneSecondWindowEverHoldsMoreThanTheRate() {
        AtomicLong now = new AtomicLong(0);
        PacedRateLimiter limiter = new PacedRateLimiter(20, now::get);
        List<Long> granted = new ArrayList<>();
        // A greedy caller asking every millisecond for ten seconds.
        for (long t = 0; t < 10_000_000_000L; t += 1_000_000L) {
            now.set(t);
            if (limiter.tryAcquire()) {
                granted.add(t);
            }
        }
        for (int i = 20; i < granted.size(); i++) {
            assertThat(granted.get(i) - granted.get(i - 20)).isGreaterThanOrEqualTo(1_000_000_000L);
        }
        assertThat(granted).hasSize(200);
    }

    @Test
    void reservationsQueueUpBehindEachOther() {
        AtomicLong now = new AtomicLong(0);
        PacedRateLimiter limiter = new PacedRateLimiter(10, now::get);

        assertThat(limiter.reserve()).isZero();
        assertThat(limiter.reserve()).isEqualTo(100_000_000L);
        assertThat(limiter.reserve()).isEqualTo(200_000_000L);
        assertThat(limiter.tryAcquire()).isFalse();
    }

    @Test
    void aReservationBeyondTheWaitIsRefusedAndTakesNothing() {
        AtomicLong now = new AtomicLong(0);
        PacedRateLimiter limiter = new PacedRateLimiter(10, now::get);
        assertThat(limiter.reserveWithin(0)).isZero();
        assertThat(limiter.reserveWithin(150_000_000L)).isEqualTo(100_000_000L);

        assertThat(limiter.reserveWithin(150_000_000L)).as("due at 200 ms, beyond the wait").isEqualTo(-1);
        assertThat(limiter.reserveWithin(150_000_000L)).as("the refusal reserved nothing").isEqualTo(-1);
        assertThat(limiter.untilFree()).isEqualTo(java.time.Duration.ofMillis(200));

        now.set(100_000_000L);
        assertThat(limiter.reserveWithin(150_000_000L)).as("the next turn is still at 200 ms")
                .isEqualTo(100_000_000L);
    }

    @Test
    void aNonPositiveRateIsRejectedNamingTheValue() {
        assertThatThrownBy(() -> new PacedRateLimiter(0)).hasMessageContaining("was 0.0");
    }
}
