package dev.wanhybrid.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.jobs.JobQueries.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EventScanTest {

    private static final Duration LAG = Duration.ofSeconds(30);
    private final Instant t0 = Instant.parse("2026-12-06T10:00:00Z");

    /** The visible rows of job_events, as the outbox's queries would return them. */
    private final TreeMap<Long, StoredEvent> visible = new TreeMap<>();
    private final EventScan.Source source = new EventScan.Source() {
        @Override
        public List<StoredEvent> eventsAfter(long id, int limit) {
            return visible.tailMap(id, false).values().stream().limit(limit).toList();
        }

        @Override
        public List<StoredEvent> eventsWithIds(Collection<Long> ids) {
            return ids.stream().sorted().map(visible::get).filter(e -> e != null).toList();
        }
    };

    private void commit(long id, Instant at) {
        visible.put(id, new StoredEvent(id, "video_" + id, "alpha", "video.queued", "{}", at, "{}"));
    }

    private static List<Long> ids(EventScan.Round round) {
        return round.events().stream().map(StoredEvent::id).toList();
    }

    @Test
    void eachEventIsReadOnce() {
        EventScan scan = new EventScan(LAG, 100, 10);
        commit(1, t0);
        commit(2, t0);
        assertThat(ids(scan.next(0, t0, source))).containsExactly(1L, 2L);
        assertThat(ids(scan.next(0, t0.plusMillis(5), source))).isEmpty();
        commit(3, t0.plusMillis(10));
        assertThat(ids(scan.next(0, t0.plusMillis(10), source))).containsExactly(3L);
        assertThat(scan.safeCursor()).isEqualTo(3);
    }

    @Test
    void aLateCommitIntoAGapIsReadWhenItAppearsAndHoldsTheCursorUntilThen() {
        EventScan scan = new EventScan(LAG, 100, 10);
        commit(1, t0);
        commit(2, t0);
        commit(4, t0); // 3 took its id first and has not committed yet
        commit(5, t0);
        assertThat(ids(scan.next(0, t0, source))).containsExactly(1L, 2L, 4L, 5L);
        assertThat(scan.safeCursor()).isEqualTo(2);
        assertThat(ids(scan.next(2, t0.plusSeconds(1), source))).isEmpty();
        commit(3, t0.plusSeconds(2));
        commit(6, t0.plusSeconds(2));
        assertThat(ids(scan.next(2, t0.plusSeconds(2), source))).containsExactly(3L, 6L);
        assertThat(scan.safeCursor()).isEqualTo(6);
    }

    @Test
    void aGapThatNeverFillsIsGivenUpAfterTheLag() {
        EventScan scan = new EventScan(LAG, 100, 10);
        commit(1, t0);
        commit(3, t0); // 2 rolled back
        scan.next(0, t0, source);
        assertThat(scan.safeCursor()).isEqualTo(1);
        scan.next(1, t0.plus(LAG).minusMillis(1), source);
        assertThat(scan.safeCursor()).isEqualTo(1);
        scan.next(1, t0.plus(LAG), source);
        assertThat(scan.safeCursor()).isEqualTo(3);
    }

    @Test
    void idsMissingBelowOldEventsAreNotWaitedFor() {
        EventScan scan = new EventScan(LAG, 100, 10);
        commit(40, t0.minusSeconds(3600)); // 1..39 deleted by retention long ago
        commit(41, t0);
        assertThat(ids(scan.next(0, t0, source))).containsExactly(40L, 41L);
        assertThat(scan.safeCursor()).isEqualTo(41);
    }

    @Test
    void newEventsBeyondOneBatchAreReadInPagesEvenWhileAllAreRecent() {
        EventScan scan = new EventScan(LAG, 100, 2);
        for (long id = 1; id <= 250; id++) {
            commit(id, t0);
        }
        EventScan.Round first = scan.next(0, t0, source);
        assertThat(first.events()).hasSize(200);
        assertThat(first.more()).isTrue();
        EventScan.Round second = scan.next(0, t0, source);
        assertThat(ids(second)).first().isEqualTo(201L);
        assertThat(second.events()).hasSize(50);
        assertThat(second.more()).isFalse();
        commit(251, t0.plusMillis(1));
        assertThat(ids(scan.next(0, t0.plusMillis(1), source))).containsExactly(251L);
    }

    @Test
    void aCursorMovedFurtherByAnotherInstanceSkipsWhatItCovers() {
        EventScan scan = new EventScan(LAG, 100, 10);
        commit(1, t0);
        commit(3, t0);
        scan.next(0, t0, source);
        assertThat(scan.safeCursor()).isEqualTo(1);
        commit(4, t0);
        commit(5, t0);
        // another instance read through 4, including the gap at 2
        assertThat(ids(scan.next(4, t0.plusSeconds(1), source))).containsExactly(5L);
        assertThat(scan.safeCursor()).isEqualTo(5);
    }

    @Test
    void afterAResetTheRoundIsReadAgainFromTheSharedCursor() {
        EventScan scan = new EventScan(LAG, 100, 10);
        commit(1, t0);
        commit(2, t0);
        commit(3, t0);
        assertThat(ids(scan.next(1, t0, source))).containsExactly(2L, 3L);
        // Handling event 2 failed: the cursor stayed at 1.
        scan.reset();
        assertThat(ids(scan.next(1, t0.plusMillis(1), source))).containsExactly(2L, 3L);
        assertThat(scan.safeCursor()).isEqualTo(3);
    }
}
