package dev.wanhybrid.gateway.events;

import dev.wanhybrid.gateway.jobs.JobEvent;
import dev.wanhybrid.gateway.jobs.JobStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Fans {@code job_events} out to SSE subscribers. One poller reads the table for all subscribed jobs, so a stream
 * opened on any instance sees transitions written by any other; each subscription keeps its own cursor, and
 * since a job's events are written one transition at a time their ids never skip within one job.
 */
@Component
public class JobEventStream implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobEventStream.class);

    private final JobStore store;
    private final Duration pollInterval;
    private final Duration heartbeat;
    private final Map<String, List<Subscription>> byJob = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService poller;
    private volatile long lastHeartbeat = System.nanoTime();

    public JobEventStream(JobStore store, @Value("${gateway.events.poll-interval:250ms}") Duration pollInterval,
            @Value("${gateway.events.heartbeat:15s}") Duration heartbeat) {
        this.store = store;
        this.pollInterval = pollInterval;
        this.heartbeat = heartbeat;
    }

    /**
     * Opens a stream of one job's events after {@code lastEventId} (0 for all of them). The stream ends after a
     * terminal event.
     */
    public SseEmitter subscribe(String jobId, long lastEventId, Duration timeout) {
        SseEmitter emitter = new SseEmitter(timeout.toMillis());
        Subscription subscription = new Subscription(jobId, emitter, lastEventId);
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
        poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sse-poller").daemon(true)
                .factory());
        poller.scheduleWithFixedDelay(() -> {
            try {
                poll();
            } catch (RuntimeException e) {
                log.warn("event poll failed: {}", e.toString());
            }
        }, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
        byJob.values().stream().flatMap(List::stream).forEach(s -> s.emitter.complete());
        byJob.clear();
    }

    @Override
    public boolean isRunning() {
        return poller != null;
    }

    private static final class Subscription {
        private final String jobId;
        private final SseEmitter emitter;
        private volatile long cursor;
        private volatile boolean closed;

        Subscription(String jobId, SseEmitter emitter, long cursor) {
            this.jobId = jobId;
            this.emitter = emitter;
            this.cursor = cursor;
        }

        synchronized void send(List<JobEvent> events) {
            for (JobEvent event : events) {
                if (closed || !event.jobId().equals(jobId) || event.id() <= cursor) {
                    continue;
                }
                try {
                    emitter.send(SseEmitter.event().id(Long.toString(event.id())).name(event.type())
                            .data(event.payload(), MediaType.APPLICATION_JSON));
                    cursor = event.id();
                } catch (IOException | IllegalStateException e) {
                    closed = true;
                    return;
                }
                if (event.isTerminal()) {
                    closed = true;
                    emitter.complete();
                    return;
                }
            }
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
