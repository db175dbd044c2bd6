package dev.wanhybrid.gateway.fleet;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The {@code local_workers} heartbeat rows: one per GPU worker instance, rewritten on every heartbeat. */
public class HeartbeatStore {

    private final JdbcClient jdbc;

    public HeartbeatStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Writes this worker's row; update first, insert when absent (one writer per instance id, so no race). */
    public void record(Heartbeat beat) {
        String models = String.join(",", new TreeSet<>(beat.models()));
        int rows = jdbc.sql("UPDATE local_workers SET models = :models, ready_workers = :ready, capacity = :capacity,"
                        + " free_slots = :free, queued = :queued, running = :running, wait_ms = :wait,"
                        + " last_seen = :seen WHERE instance_id = :id")
                .params(params(beat, models)).update();
        if (rows == 0) {
            jdbc.sql("INSERT INTO local_workers (instance_id, models, ready_workers, capacity, free_slots, queued,"
                            + " running, wait_ms, last_seen) VALUES (:id, :models, :ready, :capacity, :free, :queued,"
                            + " :running, :wait, :seen)")
                    .params(params(beat, models)).update();
        }
    }

    private static java.util.Map<String, Object> params(Heartbeat beat, String models) {
        return java.util.Map.of("id", beat.instanceId(), "models", models, "ready", beat.readyWorkers(),
                "capacity", beat.capacity(), "free", beat.freeSlots(), "queued", beat.queued(),
                "running", beat.running(), "wait", beat.estimatedWait().toMillis(), "seen", ts(beat.lastSeen()));
    }

    /** Removes a worker's row (at shutdown, so routers stop counting it at once). */
    public void remove(String instanceId) {
        jdbc.sql("DELETE FROM local_workers WHERE instance_id = :id").param("id", instanceId).update();
    }

    /** Rows written at or after {@code since}. */
    public List<Heartbeat> seenSince(Instant since) {
        return jdbc.sql("SELECT instance_id, models, ready_workers, capacity, free_slots, queued, running, wait_ms,"
                        + " last_seen FROM local_workers WHERE last_seen >= :since ORDER BY instance_id")
                .param("since", ts(since)).query(HeartbeatStore::map).list();
    }

    private static Heartbeat map(ResultSet rs, int row) throws SQLException {
        String models = rs.getString("models");
        return new Heartbeat(rs.getString("instance_id"),
                models.isBlank() ? java.util.Set.of() : Arrays.stream(models.split(",")).collect(Collectors.toSet()),
                rs.getInt("ready_workers"), rs.getInt("capacity"), rs.getInt("free_slots"), rs.getInt("queued"),
                rs.getInt("running"), Duration.ofMillis(rs.getLong("wait_ms")),
                rs.getObject("last_seen", OffsetDateTime.class).toInstant());
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
