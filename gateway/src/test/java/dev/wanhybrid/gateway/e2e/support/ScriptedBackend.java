package dev.wanhybrid.gateway.e2e.support;

import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.backend.VideoBackend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of a backend that runs tasks in memory and returns a real MP4: submissions can be scripted to
 * refuse or to lose their acceptance, and every submission is counted per job so tests can prove there were no
 * duplicates.
 */
public class ScriptedBackend implements VideoBackend {

    /** What the next submit does. */
    public enum Outcome { ACCEPT, REFUSE, UNAVAILABLE, ACCEPT_BUT_LOSE_ANSWER, INVALID }

    private final String id;
    private final byte[] mp4;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> submissionsByJob = new ConcurrentHashMap<>();
    private final Map<String, Deque<Outcome>> scripts = new ConcurrentHashMap<>();
    private volatile boolean ready = true;
    private volatile int pollsUntilDone = 2;
    private volatile boolean holdRunning;
    private final AtomicInteger submissions = new AtomicInteger();
    private final AtomicInteger cancels = new AtomicInteger();

    public ScriptedBackend(String id) {
        this.id = id;
        this.mp4 = tinyMp4();
    }

    public static byte[] tinyMp4() {
        try (InputStream in = ScriptedBackend.class.getResourceAsStream("/fixtures/api/tiny.mp4")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Scripts the next submissions of requests with this exact prompt (other tests' jobs are unaffected). */
    public void script(String prompt, Outcome... outcomes) {
        Deque<Outcome> queue = scripts.computeIfAbsent(prompt, p -> new ArrayDeque<>());
        synchronized (queue) {
            for (Outcome o : outcomes) {
                queue.addLast(o);
            }
        }
    }

    public void ready(boolean value) {
        this.ready = value;
    }

    public void pollsUntilDone(int polls) {
        this.pollsUntilDone = polls;
    }

    /** While held, tasks stay running however often they are polled. */
    public void holdRunning(boolean hold) {
        this.holdRunning = hold;
    }

    /** Forgets every task, as a restarted local engine would. */
    public void forgetTasks() {
        tasks.clear();
    }

    public int submissions() {
        return submissions.get();
    }

    public int submissionsOf(String jobId) {
        AtomicInteger count = submissionsByJob.get(jobId);
        return count == null ? 0 : count.get();
    }

    public int cancels() {
        return cancels.get();
    }

    public void reset() {
        tasks.clear();
        submissionsByJob.clear();
        scripts.clear();
        submissions.set(0);
        cancels.set(0);
        ready = true;
        pollsUntilDone = 2;
        holdRunning = false;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public BackendReadiness readiness() {
        return ready ? BackendReadiness.ready("scripted " + id) : BackendReadiness.notReady("scripted " + id + " off");
    }

    @Override
    public String submit(BackendTask task) throws BackendException {
        Outcome outcome = Outcome.ACCEPT;
        Deque<Outcome> queue = scripts.get(task.spec().prompt());
        if (queue != null) {
            synchronized (queue) {
                if (!queue.isEmpty()) {
                    outcome = queue.removeFirst();
                }
            }
        }
        switch (outcome) {
            case REFUSE -> throw new BackendException(BackendException.Kind.REFUSED, "breaker_open", id + " refused");
            case UNAVAILABLE -> throw new BackendException(BackendException.Kind.UNAVAILABLE, "503", id + " is down");
            case INVALID -> throw new BackendException(BackendException.Kind.INVALID_INPUT, "bad_input", "rejected");
            default -> { }
        }
        submissions.incrementAndGet();
        submissionsByJob.computeIfAbsent(task.jobId(), j -> new AtomicInteger()).incrementAndGet();
        String taskId = id + "-task-" + task.jobId();
        tasks.put(taskId, new Task(task.jobId()));
        if (outcome == Outcome.ACCEPT_BUT_LOSE_ANSWER) {
            throw new BackendException(BackendException.Kind.ACCEPTANCE_UNKNOWN, "timeout", "answer lost");
        }
        return taskId;
    }

    @Override
    public TaskSnapshot poll(String taskId) {
        Task task = tasks.get(taskId);
        if (task == null) {
            return new TaskSnapshot(taskId, TaskSnapshot.State.UNKNOWN, -1, null, null, null, null, null);
        }
        if (task.cancelled) {
            return new TaskSnapshot(taskId, TaskSnapshot.State.CANCELED, -1, null, null, null, null, null);
        }
        int polls = task.polls.incrementAndGet();
        if (holdRunning || polls < pollsUntilDone) {
            return new TaskSnapshot(taskId, TaskSnapshot.State.RUNNING, Math.min(90, polls * 30), null, null, null,
                    null, null);
        }
        return new TaskSnapshot(taskId, TaskSnapshot.State.SUCCEEDED, 100, java.net.URI.create("mem:" + taskId),
                new BigDecimal("5"), new BigDecimal("12.5"), null, null);
    }

    @Override
    public void cancel(String taskId) {
        cancels.incrementAndGet();
        Task task = tasks.get(taskId);
        if (task != null) {
            task.cancelled = true;
        }
    }

    @Override
    public InputStream openResult(TaskSnapshot snapshot) {
        return new ByteArrayInputStream(mp4);
    }

    @Override
    public Optional<String> reconcile(BackendTask task) {
        String taskId = id + "-task-" + task.jobId();
        return tasks.containsKey(taskId) ? Optional.of(taskId) : Optional.empty();
    }

    private static final class Task {
        final String jobId;
        final AtomicInteger polls = new AtomicInteger();
        volatile boolean cancelled;

        Task(String jobId) {
            this.jobId = jobId;
        }
    }
}
