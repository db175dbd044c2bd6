package dev.wanhybrid.cost.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayPolicyTest {

    private static final Instant NOW = Instant.parse("2026-10-01T12:00:00Z");

    private static ReplayPolicy.View view(ReplayCatalog catalog, TraceJob job, Duration wait) {
        return new ReplayPolicy.View(NOW, wait, 0, 1, catalog.localOptions(job), catalog.cheapestCloud(job));
    }

    @Test
    void silentSmallWorkGoesLocalWhenTheQueueAllowsIt() throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        TraceJob job = new TraceJob(NOW, "t2v", 832, 480, 5, false, Duration.ofMinutes(10), "t");

        ReplayPolicy.Decision d = new CheapestFeasiblePolicy().decide(job, view(catalog, job, Duration.ZERO));

        assertThat(d.backend()).isEqualTo("local");
        assertThat(d.model()).isEqualTo("wan2.1-t2v-1.3b");
    }

    @Test
    void aLongQueueSendsUrgentWorkToTheCloudAndSoundAlwaysGoesThere() throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        TraceJob urgent = new TraceJob(NOW, "t2v", 832, 480, 5, false, Duration.ofMinutes(10), "t");
        TraceJob withSound = new TraceJob(NOW, "t2v", 1280, 720, 5, true, Duration.ofHours(24), "t");

        ReplayPolicy.Decision queued = new CheapestFeasiblePolicy().decide(urgent, view(catalog, urgent, Duration.ofMinutes(30)));
        ReplayPolicy.Decision sound = new CheapestFeasiblePolicy().decide(withSound, view(catalog, withSound, Duration.ZERO));

        assertThat(queued.backend()).isEqualTo("cloud");
        assertThat(queued.reason()).isEqualTo("deadline");
        assertThat(sound.backend()).isEqualTo("cloud");
        assertThat(sound.reason()).isEqualTo("audio_requires_cloud");
    }

    @Test
    void densityAwareAdmissionKeepsSlowLowSavingWorkOffTheGpus() throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        TraceJob hd = new TraceJob(NOW, "t2v", 1280, 720, 5, false, Duration.ofHours(24), "t");
        TraceJob sd = new TraceJob(NOW, "t2v", 832, 480, 5, false, Duration.ofHours(24), "t");
        DensityAwarePolicy policy = new DensityAwarePolicy(new BigDecimal("1.00"));

        assertThat(new CheapestFeasiblePolicy().decide(hd, view(catalog, hd, Duration.ZERO)).backend()).isEqualTo("local");
        assertThat(policy.decide(hd, view(catalog, hd, Duration.ZERO)).backend()).isEqualTo("cloud");
        assertThat(policy.decide(sd, view(catalog, sd, Duration.ZERO)).backend()).isEqualTo("local");
    }
}
