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
    public record Settings(long seed, Instant start, int days, double videosPerDay, Family family) {
        public Settings {
            if (days <= 0 || !(videosPerDay > 0)) {
                throw new IllegalArgumentException("days and videos per day must be positive");
            }
        }

        public Settings(long seed, Instant start, int days, double videosPerDay) {
            this(seed, start, days, videosPerDay, Family.MIXED);
        }
    }

    /**
     * A workload family: the mix of sizes and kinds, how bursty arrivals are, how deadlines spread, how much
     * wants sound.
     *
     * @param name the family's name in reports
     * @param share480 share of 480p requests (the rest split between 720p and 1080p by {@code share720})
     * @param share720 share of 720p requests
     * @param i2vShare share of image-to-video requests
     * @param audioShare share of requests that want sound
     * @param burstsPerWeek bursts a week
     * @param burstFactor the most a burst multiplies the rate by (each burst draws between 3 and this)
     * @param deadlines deadlines in seconds, drawn with the matching {@code deadlineShares}
     * @param deadlineShares the share of each deadline; sums to 1
     */
    public record Family(String name, double share480, double share720, double i2vShare, double audioShare,
            double burstsPerWeek, double burstFactor, long[] deadlines, double[] deadlineShares) {

        /** The shipped trace's family: a broad mix, a few bursts a week, deadlines of 10 minutes to a day. */
        public static final Family MIXED = new Family("mixed", 0.55, 0.35, 0.2, 0.25, 3, 8,
                new long[] {600, 3600, 86_400}, new double[] {0.3, 0.4, 0.3});
        /** Mostly silent 480p text-to-video: the work the fleet saves most on. */
        public static final Family LOCAL_HEAVY = new Family("local-heavy", 0.8, 0.15, 0.1, 0.1, 3, 8,
                new long[] {600, 3600, 86_400}, new double[] {0.3, 0.4, 0.3});
        /** Many strong bursts. */
        public static final Family BURSTY = new Family("bursty", 0.55, 0.35, 0.2, 0.25, 14, 12,
                new long[] {600, 3600, 86_400}, new double[] {0.3, 0.4, 0.3});
        /** Deadlines from 5 minutes to two days. */
        public static final Family DEADLINE_SPREAD = new Family("deadline-spread", 0.55, 0.35, 0.2, 0.25, 3, 8,
                new long[] {300, 900, 7200, 172_800}, new double[] {0.25, 0.25, 0.25, 0.25});
        /** Most requests want sound, which only the cloud makes. */
        public static final Family AUDIO_HEAVY = new Family("audio-heavy", 0.55, 0.35, 0.2, 0.7, 3, 8,
                new long[] {600, 3600, 86_400}, new double[] {0.3, 0.4, 0.3});

        public static final List<Family> ALL = List.of(MIXED, LOCAL_HEAVY, BURSTY, DEADLINE_SPREAD, AUDIO_HEAVY);
    }

    private record Burst(double startSecond, double endSecond, double factor) {}

    private TraceGenerator() {}

    public static List<TraceJob> generate(Settings s) {
        SplittableRandom random = new SplittableRandom(s.seed());
        double horizon = s.days() * 86_400.0;
        List<Burst> bursts = new ArrayList<>();
        Family f = s.family();
        int burstCount = Math.max(1, (int) Math.round(s.days() * f.burstsPerWeek() / 7.0));
        for (int i = 0; i < burstCount; i++) {
            double at = random.nextDouble() * horizon;
            bursts.add(new Burst(at, at + 1800 + random.nextDouble() * 5400,
                    3 + random.nextDouble() * (f.burstFactor() - 3)));
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
            jobs.add(job(s.start().plus(Duration.ofMillis((long) (t * 1000))), random, f));
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

    private static TraceJob job(Instant at, SplittableRandom r, Family f) {
        double u = r.nextDouble();
        String tenant = u < 0.5 ? "acme" : u < 0.8 ? "globex" : "initech";
        String kind = r.nextDouble() < 1 - f.i2vShare() ? "t2v" : "i2v";
        boolean audio = r.nextDouble() < f.audioShare();
        double tier = r.nextDouble();
        int width;
        int height;
        if (tier < f.share480()) {
            width = 832;
            height = 480;
        } else if (tier < f.share480() + f.share720()) {
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
        int k = 0;
        for (double cumulative = f.deadlineShares()[0]; d >= cumulative && k < f.deadlines().length - 1;
                cumulative += f.deadlineShares()[++k]) {
            // find the deadline whose share d falls into
        }
        Duration deadline = Duration.ofSeconds(f.deadlines()[k]);
        return new TraceJob(at, kind, width, height, seconds, audio, deadline, tenant);
    }
}
