package dev.wanhybrid.cost.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes a realistic synthetic workload, the same for the same seed: a daily cycle (quiet at night, busiest in the
 * afternoon, in UTC), quieter weekends, a few bursts a week (a campaign or a batch import: several times the
 * usual rate for up to two hours), and a mix of tenants, sizes, lengths, audio and deadlines.
 *
 * <p>Arrivals are a non-homogeneous Poisson process drawn by thinning: candidate arrivals at the peak rate, each
 * kept with probability rate(t) / peak.
 */
public final class TraceGenerator {

    /** What to generate. */
    public record Settings(long seed, Instant start, int days, double videosPerDay) {
        public Settings {
            if (days <= 0 || !(videosPerDay > 0)) {
                throw new IllegalArgumentException("days and videos per day must be positive");
            }
        }
    }

    private record Burst(double startSecond, double endSecond, double factor) {}

    private TraceGenerator() {}

    public static List<TraceJob> generate(Settings s) {
        SplittableRandom random = new SplittableRandom(s.seed());
        double horizon = s.days() * 86_400.0;
        List<Burst> bursts = new ArrayList<>();
        int burstCount = Math.max(1, (int) Math.round(s.days() * 3.0 / 7.0));
        for (int i = 0; i < burstCount; i++) {
            double at = random.nextDouble() * horizon;
            bursts.add(new Burst(at, at + 1800 + random.nextDouble() * 5400, 3 + random.nextDouble() * 5));
        }
        // Mean of the daily shape below is about 1; the weekend factor lowers the mean a little, which is fine.
        double base = s.videosPerDay() / 86_400.0;
        double peak = base * maxShape(bursts);
        List<TraceJob> jobs = new ArrayList<>();
        double t = 0;
        while (true) {
            t += -Math.log(1 - random.nextDouble()) / peak;
            if (t >= horizon) {
                break;
            }
            double rate = base * shape(t, s.start(), bursts);
            if (random.nextDouble() * peak > rate) {
                continue;
            }
            jobs.add(job(s.start().plus(Duration.ofMillis((long) (t * 1000))), random));
        }
        return jobs;
    }

    private static double maxShape(List<Burst> bursts) {
        double maxBurst = bursts.stream().mapToDouble(Burst::factor).max().orElse(1);
        return 1.9 * maxBurst;
    }

    /** Relative rate at second {@code t}: daily sine (peak 15:00 UTC, trough 03:00), weekends at 60 %, bursts. */
    static double shape(double t, Instant start, List<Burst> bursts) {
        Instant at = start.plusMillis((long) (t * 1000));
        double hour = (at.getEpochSecond() % 86_400) / 3600.0;
        double daily = 1 + 0.8 * Math.cos(2 * Math.PI * (hour - 15) / 24);
        java.time.DayOfWeek dow = at.atZone(java.time.ZoneOffset.UTC).getDayOfWeek();
        double weekly = (dow == java.time.DayOfWeek.SATURDAY || dow == java.time.DayOfWeek.SUNDAY) ? 0.6 : 1.0;
        double burst = 1;
        for (Burst b : bursts) {
            if (t >= b.startSecond() && t < b.endSecond()) {
                burst = Math.max(burst, b.factor());
            }
        }
        return daily * weekly * burst;
    }

    private static TraceJob job(Instant at, SplittableRandom r) {
        double u = r.nextDouble();
        String tenant = u < 0.5 ? "acme" : u < 0.8 ? "globex" : "initech";
        String kind = r.nextDouble() < 0.8 ? "t2v" : "i2v";
        boolean audio = r.nextDouble() < 0.25;
        double tier = r.nextDouble();
        int width;
        int height;
        if (tier < 0.55) {
            width = 832;
            height = 480;
        } else if (tier < 0.90) {
            width = 1280;
            height = 720;
        } else {
            width = 1920;
            height = 1080;
        }
        if (r.nextDouble() < 0.25) {
            int w = width;
            width = height;
            height = w; // portrait
        }
        double len = r.nextDouble();
        // No cloud model makes 3-second 480p clips (wan2.6 starts at 720p), so short clips come in 720p and up.
        int seconds = len < 0.75 ? 5 : len < 0.9 || height == 480 || width == 480 ? 10 : 3;
        double d = r.nextDouble();
        Duration deadline = d < 0.3 ? Duration.ofMinutes(10) : d < 0.7 ? Duration.ofHours(1) : Duration.ofHours(24);
        return new TraceJob(at, kind, width, height, seconds, audio, deadline, tenant);
    }
}
