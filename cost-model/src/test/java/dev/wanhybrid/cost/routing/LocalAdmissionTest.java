package dev.wanhybrid.cost.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocalAdmissionTest {

    private final LocalAdmission admission = new LocalAdmission();

    private static LocalAdmission.LocalOption local(String model, double seconds, String marginal) {
        return new LocalAdmission.LocalOption(model, new ServiceTime(seconds, seconds * 1.35), new BigDecimal(marginal));
    }

    private static Optional<LocalAdmission.CloudOption> cloud(String price, double latency) {
        return Optional.of(new LocalAdmission.CloudOption("wan2.2-t2v-plus", new BigDecimal(price), latency));
    }

    @Test
    void onAnIdleFleetGpuTimeIsFreeSoSlowLowSavingWorkGoesLocal() {
        LocalSchedule plan = new LocalSchedule(4);
        var v = admission.decide(1, 0, 86_400, List.of(local("wan2.1-t2v-14b", 5900, "0.14")), cloud("0.18", 180),
                plan, new DemandWindow());

        assertThat(v.local()).isTrue();
        assertThat(v.shadowPricePerGpuSecond()).isZero();
    }

    @Test
    void whenBetterPayingWorkKeepsTheFleetBusySlowLowSavingWorkGoesToTheCloud() {
        LocalSchedule plan = new LocalSchedule(2);
        DemandWindow demand = new DemandWindow();
        // 480p work on the 1.3B model saving $0.094 per 240 s: 60 an hour keep four GPUs busy.
        for (int i = 0; i < 120; i++) {
            demand.record(i * 60, 0.094 / 240, 240);
        }
        var v = admission.decide(1, 7200, 86_400, List.of(local("wan2.1-t2v-14b", 5900, "0.14")), cloud("0.18", 180),
                plan, demand);

        assertThat(v.local()).isFalse();
        assertThat(v.reason()).isEqualTo("opportunity_cost");
        assertThat(v.shadowPricePerGpuSecond()).isGreaterThan(0.04 / 5900);
    }

    @Test
    void onlyLocalCanMeetTheDeadlineSoItRunsLocallyWhatItSaves() {
        var v = admission.decide(1, 0, 400, List.of(local("wan2.1-t2v-1.3b", 240, "0.006")), cloud("0.10", 600),
                new LocalSchedule(1), new DemandWindow());

        assertThat(v.local()).isTrue();
        assertThat(v.reason()).isEqualTo("deadline");
    }

    @Test
    void aFullPlanSendsTheJobToTheCloudThatMeetsItsDeadline() {
        LocalSchedule plan = new LocalSchedule(1);
        plan.enqueue(new LocalSchedule.Job(7, 500, new ServiceTime(400, 450)));
        var v = admission.decide(1, 0, 600, List.of(local("wan2.1-t2v-1.3b", 240, "0.006")), cloud("0.10", 180),
                plan, new DemandWindow());

        assertThat(v.local()).isFalse();
        assertThat(v.reason()).isEqualTo("local_full");
    }
}
