package dev.wanhybrid.cloud.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.ApiKey;
import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.DashScopeException;
import dev.wanhybrid.cloud.TaskStatus;
import dev.wanhybrid.cloud.TaskView;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Many tasks through a throttling storm and an outage window: none lost, none sent twice, no limit exceeded. */
class TaskTrackerIT {

    private static final String KEY = "sk-tracker-key";

    private DashScopeSimulator simulator;
    private TaskTracker tracker;

    @BeforeEach
    void start() {
        simulator = DashScopeSimulator.builder().apiKey(KEY)
                .pendingFor(Duration.ofMillis(300)).runningFor(Duration.ofMillis(700))
                .queriesPerSecond(20).build().start();
        DashScopeClient client = DashScopeClient.builder().apiKey(ApiKey.of(KEY)).baseUrl(simulator.baseUrl()).build();
        tracker = TaskTracker.builder(client).queriesPerSecond(20)
                .pollPolicy(new PollPolicy(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofSeconds(1), 1.5))
                .build();
    }

    @AfterEach
    void stop() {
        tracker.close();
        simulator.close();
    }

    @Test
    void aThrottlingStormAndAnOutageLoseNoTaskAndNeverExceedTheLimits() throws Exception {
        Recorder recorder = new Recorder();
        for (int i = 0; i < 30; i++) {
            tracker.submit(VideoRequest.builder("wan2.6-t2v").prompt("storm " + i).duration(2).build(), recorder);
        }
        for (int i = 0; i < 6; i++) {
            tracker.submit(VideoRequest.builder("wan2.1-t2v-turbo").prompt("slow " + i).build(), recorder);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> recorder.finished.size() >= 5);
        simulator.faults().throttleAll(true);
        Thread.sleep(1500);
        simulator.faults().throttleAll(false);
        await().atMost(Duration.ofSeconds(20)).until(() -> recorder.finished.size() >= 15);
        Instant now = simulator.clock().instant();
        simulator.faults().outage(now, now.plusSeconds(2));

        await().atMost(Duration.ofSeconds(90)).until(() -> recorder.finished.size() == 36);

        assertThat(recorder.finished.values()).extracting(TaskView::status).containsOnly(TaskStatus.SUCCEEDED);
        assertThat(recorder.failures).isEmpty();
        DashScopeSimulator.Stats stats = simulator.stats();
        assertThat(stats.submissions()).as("no duplicate submission").isEqualTo(36);
        assertThat(stats.submissionsByModel()).containsEntry("wan2.6-t2v", 30L).containsEntry("wan2.1-t2v-turbo", 6L);
        assertThat(stats.concurrencyRejections()).as("queued locally instead of 429s").isZero();
        assertThat(stats.maxInProgressByModel()).containsEntry("wan2.6-t2v", 5L).containsEntry("wan2.1-t2v-turbo", 2L);
        assertThat(stats.queryThrottled()).as("never above the account's query rate").isZero();
        assertThat(tracker.stats().maxPollsInOneSecond()).as("sent within any one second").isLessThanOrEqualTo(20);
        assertThat(stats.outageAnswers()).as("the outage was felt").isPositive();
        assertThat(tracker.stats().throttled()).as("the storm was felt").isPositive();
        assertThat(tracker.tracked()).isZero();
        assertThat(tracker.queued()).isZero();
        System.out.printf("storm+outage: %s; tracker %s%n", stats, tracker.stats());
    }

    @Test
    void aResumedTaskIsTrackedToItsEndAndCountsAgainstTheLimit() throws Exception {
        DashScopeClient client = DashScopeClient.builder().apiKey(ApiKey.of(KEY)).baseUrl(simulator.baseUrl()).build();
        String taskId = client.create(VideoRequest.builder("wan2.2-t2v-plus").prompt("resume me").build()).taskId();
        Recorder recorder = new Recorder();

        tracker.track(taskId, "wan2.2-t2v-plus", recorder);

        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.finished.containsKey(taskId));
        assertThat(recorder.finished.get(taskId).status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(recorder.changes).isNotEmpty();
    }

    @Test
    void anUnknownTaskIsReportedAfterRepeatedConfirmation() {
        Recorder recorder = new Recorder();

        tracker.track("never-existed", null, recorder);

        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.finished.containsKey("never-existed"));
        assertThat(recorder.finished.get("never-existed").status()).isEqualTo(TaskStatus.UNKNOWN);
        assertThat(simulator.stats().queries()).isGreaterThanOrEqualTo(3);
    }

    private static final class Recorder implements TaskListener {
        final Map<String, TaskView> finished = new ConcurrentHashMap<>();
        final List<DashScopeException> failures = new CopyOnWriteArrayList<>();
        final List<TaskStatus> changes = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(TaskView view) {
            changes.add(view.status());
        }

        @Override
        public void onFinished(TaskView view) {
            TaskView previous = finished.putIfAbsent(view.taskId(), view);
            assertThat(previous).as("finished twice: %s", view.taskId()).isNull();
        }

        @Override
        public void onSubmitFailed(VideoRequest request, DashScopeException error) {
            failures.add(error);
        }
    }
}
