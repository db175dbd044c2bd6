package dev.wanhybrid.cloud.bench;

import dev.wanhybrid.cloud.ApiKey;
import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.TaskView;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.cloud.tracking.PollPolicy;
import dev.wanhybrid.cloud.tracking.TaskListener;
import dev.wanhybrid.cloud.tracking.TaskTracker;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: tracks 10,000 in-flight simulated tasks with one {@link TaskTracker} and reports heap, polls per
 * second and threads. Usage: {@code TrackerBenchmark [tasks] [seconds] [output-file]}; see
 * {@code cloud-adapter/benchmarks/run-tracker-benchmark.sh}.
 */
public final class TrackerBenchmark {

    private TrackerBenchmark() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Path out = Path.of(args.length > 2 ? args[2] : "benchmarks/tracker-10k.txt");
        double limit = 20;
        String key = "sk-bench";
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (DashScopeSimulator simulator = DashScopeSimulator.builder().apiKey(key)
                .pendingFor(Duration.ofSeconds(1)).runningFor(Duration.ofHours(2))
                .queriesPerSecond(limit).enforceConcurrency(false).enforceCreateRates(false).build().start()) {
            List<String> ids = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                ids.add(simulator.seedTask(VideoRequest.builder("wan2.6-t2v").prompt("bench " + i).build()));
            }
            long heapBefore = usedHeapAfterGc(memory);
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            DashScopeClient client = DashScopeClient.builder().apiKey(ApiKey.of(key)).baseUrl(simulator.baseUrl())
                    .build();
            AtomicLong changes = new AtomicLong();
            TaskListener listener = new TaskListener() {
                @Override
                public void onChange(TaskView view) {
                    changes.incrementAndGet();
                }

                @Override
                public void onFinished(TaskView view) {
                    throw new IllegalStateException("no task should finish during the benchmark: " + view);
                }
            };
            try (TaskTracker tracker = TaskTracker.builder(client).queriesPerSecond(limit)
                    .pollPolicy(new PollPolicy(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(15), 1.5))
                    .build()) {
                Instant start = Instant.now();
                for (String id : ids) {
                    tracker.track(id, null, listener);
                }
                List<Long> perSecond = new ArrayList<>();
                long lastPolls = 0;
                int maxThreads = 0;
                for (int s = 0; s < seconds; s++) {
                    Thread.sleep(1000);
                    long polls = tracker.stats().polls();
                    perSecond.add(polls - lastPolls);
                    lastPolls = polls;
                    maxThreads = Math.max(maxThreads, ManagementFactory.getThreadMXBean().getThreadCount());
                }
                Duration elapsed = Duration.between(start, Instant.now());
                long heapAfter = usedHeapAfterGc(memory);
                Map<String, Integer> threadsByPrefix = threadsByPrefix();
                DashScopeSimulator.Stats stats = simulator.stats();
                long maxPerSecond = perSecond.stream().mapToLong(Long::longValue).max().orElse(0);
                double average = tracker.stats().polls() / (elapsed.toMillis() / 1000.0);
                String report = String.join("\n",
                        "# TaskTracker benchmark (" + Instant.now() + ", " + Runtime.version() + ", "
                                + Runtime.getRuntime().availableProcessors() + " CPUs, -Xmx "
                                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB)",
                        "tasks tracked: " + tracker.tracked() + " of " + tasks,
                        "configured query limit: " + limit + "/s",
                        "run: " + elapsed.toMillis() / 1000.0 + " s",
                        "polls sent: " + tracker.stats().polls() + " (average " + String.format("%.2f", average)
                                + "/s, max in one sampled second " + maxPerSecond + ")",
                        "polls per second, sampled each second: " + perSecond,
                        "most polls sent within any sliding second (tracker send times): "
                                + tracker.stats().maxPollsInOneSecond(),
                        "simulator: queries answered " + stats.queries() + ", answered 429 for the query rate "
                                + stats.queryThrottled() + ", max arrivals in a sliding second "
                                + stats.maxQueriesInOneSecond() + " (arrival times: includes client and server "
                                + "scheduling jitter on a shared 2-CPU machine)",
                        "state changes reported: " + changes.get(),
                        "heap used after GC: " + mb(heapBefore) + " MB with the simulator's " + tasks
                                + " tasks, " + mb(heapAfter) + " MB while tracking them (tracker share "
                                + mb(heapAfter - heapBefore) + " MB)",
                        "JVM threads: " + threadsBefore + " before tracking, at most " + maxThreads
                                + " while tracking; by name now: " + threadsByPrefix,
                        "");
                System.out.println(report);
                Files.createDirectories(out.toAbsolutePath().getParent());
                Files.writeString(out, report);
            }
        }
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static Map<String, Integer> threadsByPrefix() {
        Map<String, Integer> counts = new TreeMap<>();
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            String name = info.getThreadName().replaceAll("[-#]?\\d+$", "").replaceAll("\\d+", "N");
            counts.merge(name, 1, Integer::sum);
        }
        return counts;
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / (1024.0 * 1024.0));
    }

}
