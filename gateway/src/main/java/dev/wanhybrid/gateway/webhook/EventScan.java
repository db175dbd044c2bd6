package dev.wanhybrid.gateway.webhook;

import dev.wanhybrid.gateway.jobs.JobQueries.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * Which job events this instance has yet to read, so that each is read once: the events after the highest id read
 * so far, and the ids skipped on the way. Event ids come from one sequence, so an id missing below the highest
 * read belongs to a transaction that took it and has not committed (it may still) or rolled back (it never will);
 * such gaps are asked for again each round until their event appears or they are older than the scan lag.
 *
 * <p>The shared cursor ({@code webhook_cursor}) may move up to {@link #safeCursor()}: below it every event has been
 * read or given up. After a restart, or on another instance, scanning from the cursor reads again only what might
 * not have been read. Owned by the sender's one thread; not thread-safe.
 */
final class EventScan {

    /** Where events are read from: {@code job_events} joined with the job's stored request. */
    interface Source {
        /** Events after {@code id}, oldest first, at most {@code limit}. */
        List<StoredEvent> eventsAfter(long id, int limit);

        /** Those of {@code ids} whose events are visible now. */
        List<StoredEvent> eventsWithIds(Collection<Long> ids);
    }

    /** Jumps in the sequence larger than this are not tracked id by id (a sequence restarted higher, say). */
    static final int MAX_GAPS = 10_000;
    private static final int GAPS_PER_QUERY = 500;

    private final Duration lag;
    private final int batch;
    private final int maxPages;
    private long scanned = -1;
    private final TreeMap<Long, Instant> gaps = new TreeMap<>();

    /**
     * @param lag how long a missing id is waited for
     * @param batch events read per query
     * @param maxPages queries for new events per round; the rest waits for the next round
     */
    EventScan(Duration lag, int batch, int maxPages) {
        this.lag = lag;
        this.batch = batch;
        this.maxPages = maxPages;
    }

    /** A round's events, in the order they were found; {@code more} when new events were left for the next round. */
    record Round(List<StoredEvent> events, boolean more) {}

    /**
     * Reads what has not been read: late commits into earlier gaps, then new events.
     *
     * @param cursor the shared cursor now: everything at or below it has been read by some instance
     */
    Round next(long cursor, Instant now, Source source) {
        if (cursor > scanned) {
            scanned = cursor;
        }
        gaps.headMap(cursor, true).clear();
        gaps.values().removeIf(missedAt -> !missedAt.plus(lag).isAfter(now));
        List<StoredEvent> found = new ArrayList<>();
        if (!gaps.isEmpty()) {
            List<Long> ask = gaps.keySet().stream().limit(GAPS_PER_QUERY).toList();
            for (StoredEvent late : source.eventsWithIds(ask)) {
                if (gaps.remove(late.id()) != null) {
                    found.add(late);
                }
            }
        }
        boolean more = false;
        for (int page = 0; page < maxPages; page++) {
            List<StoredEvent> events = source.eventsAfter(scanned, batch);
            for (StoredEvent event : events) {
                long missing = event.id() - scanned - 1;
                // An id missing below an event older than the lag belongs to no transaction that is still open.
                boolean recent = event.createdAt().plus(lag).isAfter(now);
                if (missing > 0 && recent && missing + gaps.size() <= MAX_GAPS) {
                    for (long id = scanned + 1; id < event.id(); id++) {
                        gaps.put(id, now);
                    }
                }
                scanned = Math.max(scanned, event.id());
                found.add(event);
            }
            more = events.size() == batch;
            if (!more) {
                break;
            }
        }
        return new Round(found, more);
    }

    /**
     * Forgets what this instance has read, so the next round reads again from the shared cursor: for a round whose
     * events were not all handled (the cursor was not moved past them, so nothing is lost, and a repeat is harmless).
     */
    void reset() {
        scanned = -1;
        gaps.clear();
    }

    /** The highest id with every event at or below it read or given up. */
    long safeCursor() {
        return gaps.isEmpty() ? scanned : gaps.firstKey() - 1;
    }
}
