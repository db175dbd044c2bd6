package dev.wanhybrid.gateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The housekeeping rests when its own work stops shrinking a file nobody writes, never while the file keeps
 * shrinking, and wakes when the application writes again.
 */
class HousekeepingBudgetTest {

    private static final long MB = 1L << 20;

    @Test
    void restsWhenTheFileOnlyGoesUpAndDownWithNothingWritten() {
        // What the jar did after a burst: moves of 4 MB a round, the file between 29 and 48 MB and back, no new low.
        HousekeepingBudget budget = new HousekeepingBudget(29 * MB);
        int rounds = 0;
        long[] sizes = {40 * MB, 48 * MB, 46 * MB, 35 * MB, 29 * MB, 44 * MB, 48 * MB, 31 * MB};
        while (budget.mayWork(0, sizes[rounds % sizes.length]) && rounds < 1_000) {
            budget.worked(4 * MB + 512 * 1024, sizes[rounds % sizes.length]);
            rounds++;
        }
        assertThat(budget.resting()).isTrue();
        // As much work as the file's size, 29 MB, in rounds of 4.5 MB: seven rounds, not a thousand.
        assertThat(rounds).isEqualTo(7);
        // A heartbeat now and then does not wake it.
        for (int i = 0; i < HousekeepingBudget.WAKE_AFTER_COMMITS - 1; i++) {
            assertThat(budget.mayWork(1, 40 * MB)).isFalse();
        }
        // A real write load does.
        assertThat(budget.mayWork(1, 40 * MB)).isTrue();
        assertThat(budget.resting()).isFalse();
    }

    @Test
    void neverRestsWhileEachRoundMakesTheFileSmaller() {
        // A shrink after retention deleted most jobs: 1 GB down to 100 MB, 4 MB a round, nothing written meanwhile.
        long size = 1024 * MB;
        HousekeepingBudget budget = new HousekeepingBudget(size);
        while (size > 100 * MB) {
            assertThat(budget.mayWork(0, size)).as("at %d MB", size / MB).isTrue();
            size -= 4 * MB;
            budget.worked(4 * MB, size);
        }
        assertThat(budget.resting()).isFalse();
    }

    @Test
    void compactionBeforeTheMovesFitsTheAllowance() {
        // Compaction first raises the fill rate without changing the size (it rewrites at most the live data, less
        // than the file), then the moves shrink it: 200 MB file, 80 MB live, 512 KB a round.
        long size = 200 * MB;
        HousekeepingBudget budget = new HousekeepingBudget(size);
        for (long rewritten = 0; rewritten < 80 * MB; rewritten += 512 * 1024) {
            assertThat(budget.mayWork(0, size)).isTrue();
            budget.worked(512 * 1024, size);
        }
        budget.worked(4 * MB, 150 * MB);
        assertThat(budget.mayWork(0, 150 * MB)).isTrue();
    }

    @Test
    void aSmallFileGetsAtLeastTheMinimumAllowance() {
        HousekeepingBudget budget = new HousekeepingBudget(MB);
        long worked = 0;
        while (budget.mayWork(0, MB)) {
            budget.worked(512 * 1024, MB);
            worked += 512 * 1024;
        }
        assertThat(worked).isGreaterThan(HousekeepingBudget.MIN_ALLOWANCE_BYTES);
    }
}
