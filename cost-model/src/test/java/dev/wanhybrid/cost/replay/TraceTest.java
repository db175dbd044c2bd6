package dev.wanhybrid.cost.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceTest {

    private static final TraceGenerator.Settings SETTINGS =
            new TraceGenerator.Settings(1, Instant.parse("2026-10-05T00:00:00Z"), 14, 1000); // starts on a Monday

    @Test
    void sameSeedGivesTheSameTraceAndItSurvivesTheCsvRoundTrip(@TempDir Path dir) throws Exception {
        List<TraceJob> a = TraceGenerator.generate(SETTINGS);
        List<TraceJob> b = TraceGenerator.generate(SETTINGS);
        Path file = dir.resolve("t.csv");
        Trace.write(file, a);

        assertThat(a).isEqualTo(b);
        assertThat(Trace.read(file)).hasSize(a.size()).first().satisfies(j -> assertThat(j.tenant()).isNotBlank());
        assertThat(Trace.read(file).get(10).arrival()).isEqualTo(Instant.parse(a.get(10).arrival().toString()));
    }

    @Test
    void traceHasADailyCycleQuieterWeekendsAndAMixOfAudio() {
        List<TraceJob> jobs = TraceGenerator.generate(SETTINGS);

        long afternoon = jobs.stream().filter(j -> hour(j) >= 13 && hour(j) < 17).count();
        long night = jobs.stream().filter(j -> hour(j) >= 1 && hour(j) < 5).count();
        long saturday = jobs.stream().filter(j -> j.arrival().atOffset(ZoneOffset.UTC).getDayOfMonth() == 10).count();
        long tuesday = jobs.stream().filter(j -> j.arrival().atOffset(ZoneOffset.UTC).getDayOfMonth() == 6).count();
        double audio = jobs.stream().filter(TraceJob::audio).count() / (double) jobs.size();

        assertThat(afternoon).isGreaterThan(4 * night);
        assertThat(saturday).isLessThan(tuesday);
        assertThat(audio).isBetween(0.2, 0.3);
        assertThat(jobs).extracting(TraceJob::deadline).containsOnly(java.time.Duration.ofMinutes(10),
                java.time.Duration.ofHours(1), java.time.Duration.ofHours(24));
    }

    @Test
    void badLinesNameTheLineAndTheField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, Trace.HEADER + "\n2026-10-01T00:00:00Z,t2v,832x480,5,maybe,600,acme\n");

        assertThatThrownBy(() -> Trace.read(file)).hasMessageContaining("bad.csv:2").hasMessageContaining("audio");
    }

    private static int hour(TraceJob j) {
        return j.arrival().atOffset(ZoneOffset.UTC).getHour();
    }
}
