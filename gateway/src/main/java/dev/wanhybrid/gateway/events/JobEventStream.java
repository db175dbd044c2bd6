package dev.wanhybrid.gateway.events;

import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobEvent;
import dev.wanhybrid.gateway.jobs.JobEventSignal;
import dev.wanhybrid.gateway.jobs.JobStore;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fans {@code job_events} out to SSE subscribers. One poller reads the table for all subscribed jobs, so a stream
 * opened on any instance sees transitions written by any other; each subscription keeps its own cursor, and
 * since a job's events are written one transition at a time their ids never skip within one job. An event
 * committed on this instance wakes the poller at once ({@link JobEventSignal}); the poll interval only bounds how
 * late another instance's events arrive.
 *
 * <p>Progress is sent without flooding: a subscription sends at most one {@code video.progress} per
 * {@code gateway.events.progress-interval}, never a value lower than one it already sent, and the newest value it
 * held back goes out once the interval has passed (a status event carries the current progress anyway).
 */
@Component
public class JobEventStream implements SmartLifecycle {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JobStore store;
    private final Duration heartbeat;
    private final Duration progressInterval;
    private final Map<String, List<Subscription>> byJob = new ConcurrentHashMap<>();
    private final PeriodicTask poller;
    private volatile long lastHeartbeat = System.nanoTime();

    public JobEventStream(JobStore store, JobEventSignal signal,
            @Value("${gateway.events.poll-interval:250ms}") Duration pollInterval,
            @Value("${gateway.events.heartbeat:15s}") Duration heartbeat,
            @Value("${gateway.events.progress-interval:500ms}") Duration progressInterval) {
        this.store = store;
        this.poller = PeriodicTask.every("sse-poller", pollInterval, this::poll);
        this.heartbeat = heartbeat;
        this.progressInterval = progressInterval;
        signal.listen(this::wake);
    }

    /** Polls now on the poller's thread: an event of {@code job} was just committed here and someone follows it. */
    private void wake(Job job) {
        if (byJob.containsKey(job.id())) {
            poller.wake();
        }
    }

    /**
     * Opens a stream of one job's events after {@code lastEventId} (0 for all of them). The stream ends after a
     * terminal event.
     */
    public SseEmitter subscribe(String jobId, long lastEventId, Duration timeout) {
        SseEmitter emitter = new SseEmitter(timeout.toMillis());
        Subscription subscription = new Subscription(jobId, emitter, lastEventId, progressInterval.toNanos());
        byJob.computeIfAbsent(jobId, id -> new CopyOnWriteArrayList<>()).add(subscription);
        Runnable remove = () -> unsubscribe(subscription);
        emitter.onCompletion(remove);
        emitter.onTimeout(remove);
        emitter.onError(error -> remove.run());
        // Replay what already happened; the poller continues from the subscription's cursor.
        deliver(List.of(subscription));
        return emitter;
    }

    private void unsubscribe(Subscription subscription) {
        byJob.computeIfPresent(subscription.jobId, (id, list) -> {
            list.remove(subscription);
            return list.isEmpty() ? null : list;
        });
    }

    /** One poll for every subscriber. */
    void poll() {
        List<Subscription> all = byJob.values().stream().flatMap(List::stream).toList();
        if (all.isEmpty()) {
            return;
        }
        deliver(all);
        if (System.nanoTime() - lastHeartbeat > heartbeat.toNanos()) {
            lastHeartbeat = System.nanoTime();
            for (Subscription subscription : all) {
                subscription.heartbeat();
            }
        }
    }

    private void deliver(List<Subscription> subscriptions) {
        Set<String> jobIds = subscriptions.stream().map(s -> s.jobId).collect(Collectors.toSet());
        long from = subscriptions.stream().mapToLong(s -> s.cursor).min().orElse(0);
        List<JobEvent> events = store.eventsAfter(jobIds, from, 1000);
        for (Subscription subscription : subscriptions) {
            subscription.send(events);
        }
    }

    @Override
    public void start() {
        poller.start();
    }

    @Override
    public void stop() {
        poller.stop();
        byJob.values().stream().flatMap(List::stream).forEach(s -> s.emitter.complete());
        byJob.clear();
    }

    @Override
    public boolean isRunning() {
        return poller.isRunning();
    }

    private static final class Subscription {
        private final String jobId;
        private final SseEmitter emitter;
        private final long progressIntervalNanos;
        private volatile long cursor;
        private volatile boolean closed;
        private int lastProgress = -1;
        private long lastProgressAt;
        private JobEvent heldProgress;

        Subscription(String jobId, SseEmitter emitter, long cursor, long progressIntervalNanos) {
            this.jobId = jobId;
            this.emitter = emitter;
            this.cursor = cursor;
            this.progressIntervalNanos = progressIntervalNanos;
        }

        synchronized void send(List<JobEvent> events) {
            for (JobEvent event : events) {
                if (closed || !event.jobId().equals(jobId) || event.id() <= cursor) {
                    continue;
                }
                cursor = event.id();
                if (event.type().equals(JobEvent.TYPE_PROGRESS)) {
                    heldProgress = event;
                    continue;
                }
                heldProgress = null;
                if (!emit(event)) {
                    return;
                }
                if (event.isTerminal()) {
                    closed = true;
                    emitter.complete();
                    return;
                }
            }
            flushProgress();
        }

        /** Sends the newest progress held back once the interval allows, unless it would go backwards. */
        private void flushProgress() {
            JobEvent held = heldProgress;
            if (closed || held == null || System.nanoTime() - lastProgressAt < progressIntervalNanos
                    && lastProgressAt != 0) {
                return;
            }
            heldProgress = null;
            if (progressOf(held) > lastProgress) {
                emit(held);
            }
        }

        private boolean emit(JobEvent event) {
            try {
                emitter.send(SseEmitter.event().id(Long.toString(event.id())).name(event.type())
                        .data(event.payload(), MediaType.APPLICATION_JSON));
            } catch (IOException | IllegalStateException e) {
                closed = true;
                return false;
            }
            int progress = progressOf(event);
            if (progress >= 0) {
                lastProgress = Math.max(lastProgress, progress);
                lastProgressAt = System.nanoTime();
            }
            return true;
        }

        private static int progressOf(JobEvent event) {
            return JSON.readTree(event.payload()).path("progress").asInt(-1);
        }

        synchronized void heartbeat() {
            if (closed) {
                return;
            }
            try {
                emitter.send(SseEmitter.event().comment("keep-alive"));
            } catch (IOException | IllegalStateException e) {
                closed = true;
            }
        }
    }
}
