package dev.wanhybrid.gateway.jobs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Rings when this instance has committed a job event, so what delivers events (SSE streams, webhooks) reads them at
 * once instead of at its next poll. Listeners must only hand work to their own thread: they run on the thread that
 * wrote the event. Events written by another instance are still found by the readers' own polls.
 */
@Component
public class JobEventSignal {

    private static final Logger log = LoggerFactory.getLogger(JobEventSignal.class);

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** Registers {@code listener}, called after each committed event; it must not block. */
    public void listen(Runnable listener) {
        listeners.add(listener);
    }

    void committed() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("a job event listener failed: {}", e.toString());
            }
        }
    }
}
