package dev.wanhybrid.cost.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DemandWindowTest {

    @Test
    void sumsOnlyTheWorkThatPaysMoreAndIsStillInTheWindow() {
        DemandWindow window = new DemandWindow(100, 10);
        window.record(0, 0.001, 300);
        window.record(50, 0.004, 100);
        window.record(60, 0.002, 200);

        // At 90 all three are in the window; above 0.0015 are the second and the third.
        DemandWindow.Above above = window.above(90, 0.0015);
        assertThat(above.gpus()).isCloseTo(300 / 100.0, within(1e-12));
        assertThat(above.meanDensity()).isCloseTo((100 * 0.004 + 200 * 0.002) / 300, within(1e-12));

        // At 155 the first (at 0) and the second (at 50) have left the window.
        assertThat(window.above(155, 0.0).gpus()).isCloseTo(2.0, within(1e-12));
        assertThat(window.size()).isEqualTo(1);
        assertThat(window.above(155, 0.002)).isEqualTo(new DemandWindow.Above(0, 0));
    }

    @Test
    void keepsOnlyTheNewestArrivalsBeyondItsCap() {
        DemandWindow window = new DemandWindow(1e9, 3);
        for (int i = 1; i <= 5; i++) {
            window.record(i, i, 1);
        }
        assertThat(window.size()).isEqualTo(3);
        // Arrivals 3, 4 and 5 remain: one GPU-second each, densities 3..5.
        assertThat(window.above(6, 0).meanDensity()).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void agreesWithAPlainListOnRandomArrivalsThatWrapTheRing() {
        agreesWithAPlainList(new SplittableRandom(7), Integer.MAX_VALUE);
    }

    @Test
    void agreesWithAPlainListWhenManyArrivalsShareADensity() {
        // Four densities only: ties are ordered by slot, and evicting one of several equal nodes removes that one.
        agreesWithAPlainList(new SplittableRandom(11), 4);
    }

    private static void agreesWithAPlainList(SplittableRandom random, int distinctDensities) {
        double windowSeconds = 500;
        int cap = 37;
        DemandWindow window = new DemandWindow(windowSeconds, cap);
        List<double[]> reference = new ArrayList<>();
        double now = 0;
        for (int step = 0; step < 20_000; step++) {
            now += random.nextDouble() * 30;
            double cutoff = now - windowSeconds;
            reference.removeIf(a -> a[0] < cutoff);
            if (random.nextInt(3) > 0) {
                double density = distinctDensities == Integer.MAX_VALUE ? random.nextDouble() * 1e-3
                        : random.nextInt(distinctDensities) * 2.5e-4;
                double gpuSeconds = 1 + random.nextDouble() * 3000;
                window.record(now, density, gpuSeconds);
                if (reference.size() == cap) {
                    reference.remove(0);
                }
                reference.add(new double[] {now, density, gpuSeconds});
            } else {
                double threshold = distinctDensities == Integer.MAX_VALUE ? random.nextDouble() * 1e-3
                        : random.nextInt(distinctDensities + 1) * 2.5e-4 - (random.nextBoolean() ? 1e-5 : 0);
                double work = 0;
                double weighted = 0;
                for (double[] a : reference) {
                    if (a[1] > threshold) {
                        work += a[2];
                        weighted += a[2] * a[1];
                    }
                }
                DemandWindow.Above above = window.above(now, threshold);
                assertThat(window.size()).isEqualTo(reference.size());
                assertThat(above.gpus()).isCloseTo(work / windowSeconds, within(1e-9));
                assertThat(above.meanDensity()).isCloseTo(work == 0 ? 0 : weighted / work, within(1e-12));
            }
        }
    }
}
